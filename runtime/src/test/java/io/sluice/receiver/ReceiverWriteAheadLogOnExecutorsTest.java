package io.sluice.receiver;

import io.sluice.testkit.AckingNumberReceiver;
import io.sluice.testkit.ReplayingNumberServer;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import io.sluice.storage.StorageLevel;
import io.sluice.util.SystemClock;
import io.sluice.wal.FileSystemWriteAheadLog;
import io.sluice.wal.LogRecords;
import io.sluice.wal.ReceivedBlockMetadataLog;
import io.sluice.wal.ReceivedDataLogs;
import io.sluice.wal.RecoveredBlocks;
import io.sluice.wal.WalSettings;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver write-ahead log with the receiver on an executor ({@code local-cluster[2,1,256]}): the executor writes
 * each block to the stream's log under the checkpoint directory before reporting it, and the driver's metadata log
 * records every block with its log handle.
 */
class ReceiverWriteAheadLogOnExecutorsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void aReceiverOnAnExecutorLogsEveryBlockBeforeTheDriverAcceptsIt(@TempDir Path workDir, @TempDir Path checkpoint)
            throws Exception {
        long total = 200;
        var conf = new SluiceConf(false).setMaster("local-cluster[2,1,256]").setAppName("wal-on-executors")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.RECEIVER_WAL_ENABLE, true);
        String checkpointDir = checkpoint.toUri().toString();
        var numbers = Collections.synchronizedList(new ArrayList<Long>());
        var blocks = Collections.synchronizedList(new ArrayList<ReceivedBlockInfo>());
        try (var sc = new SluiceContext(conf);
             var server = new ReplayingNumberServer(total, 20, Duration.ofMillis(20))) {
            var ssc = new StreamingContext(sc, Duration.ofMillis(500));
            ssc.checkpoint(checkpointDir);
            ssc.receiverStream(new AckingNumberReceiver(server.host(), server.port(), StorageLevel.MEMORY_ONLY))
                    .foreachRDD((ds, time) -> {
                        blocks.addAll(ssc.receiverTracker().blocksOfBatch(time, 0));
                        numbers.addAll(ds.collect());
                    });
            try {
                ssc.start();
                assertThat(server.awaitAcked(total, WAIT)).as("the source delivered everything").isTrue();
                Await.until("every number was output", () -> numbers.size() >= total, WAIT);

                // The driver got every block with its handle in the log the executor wrote.
                assertThat(blocks).isNotEmpty().allSatisfy(b -> assertThat(b.walHandle()).isNotNull()
                        .satisfies(h -> assertThat(h.path()).contains("/receivedData/0/log-")));
                assertThat(blocks.stream().mapToLong(ReceivedBlockInfo::numRecords).sum()).isEqualTo(total);
                try (var metadata = ReceivedBlockMetadataLog.open(checkpointDir, new Configuration(),
                        WalSettings.forDriverMetadata(conf), new SystemClock())) {
                    RecoveredBlocks recovered = metadata.recover();
                    assertThat(recovered.lastAllocatedBatch()).isNotNull();
                    assertThat(recovered.damage()).isEmpty();
                }
            } finally {
                ssc.stop(false, false);
            }
        }
        var serializer = new KryoSerializer(conf);
        var logged = new ArrayList<Long>();
        var log = FileSystemWriteAheadLog.open(ReceivedDataLogs.directory(checkpointDir, 0), new Configuration(),
                WalSettings.forReceivedData(conf));
        try (log; LogRecords records = log.readAll()) {
            records.forEachRemaining(r -> logged.addAll(serializer.<List<Long>>deserialize(bytes(r))));
            assertThat(records.damage()).isEmpty();
        }
        Collections.sort(logged);
        assertThat(logged).containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
        Collections.sort(numbers);
        assertThat(numbers).containsExactlyElementsOf(logged);
    }

    private static byte[] bytes(ByteBuffer b) {
        var array = new byte[b.remaining()];
        b.get(array);
        return array;
    }
}
