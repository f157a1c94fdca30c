package io.sluice.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.batch.BlockDataset;
import io.sluice.conf.SluiceConf;
import io.sluice.receiver.Await;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.util.SystemClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The receiver write-ahead log wired into a streaming context (local mode). */
class ReceiverWriteAheadLogTest {

    @Test
    void withTheLogOnABatchWhoseBlocksLeftEveryBlockStoreIsReadBackFromTheLog() {
        var receiver = new ControlledReceiver<Integer>();
        var batches = new ConcurrentSkipListMap<Time, List<List<Integer>>>();
        try (var harness = StreamingTestKit.create().conf(SluiceConf.RECEIVER_WAL_ENABLE.name(), "true").open()) {
            var ssc = harness.context();
            DStream<Integer> stream = ssc.receiverStream(receiver);
            stream.foreachRDD((ds, time) -> {
                // As if the executor holding the blocks had been lost: no block store has them any more.
                ((BlockDataset<Integer>) ds).blockIds().forEach(id -> ssc.context().blockStore().remove(id));
                batches.put(time, ds.glom().collect());
            });
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);

            receiver.store(List.of(1, 2));
            receiver.store(List.of(3));
            harness.runBatches(1);

            assertThat(batches).containsExactly(Map.entry(new Time(1000), List.of(List.of(1, 2), List.of(3))));
            String checkpointDir = ssc.checkpointDir();
            assertThat(Path.of(java.net.URI.create(ReceivedDataLogs.directory(checkpointDir, 0)))).isDirectory();

            // What a restarted driver would find: batch 1000 took both blocks, with their log handles.
            var settings = WalSettings.forDriverMetadata(new SluiceConf(false));
            try (var metadata = ReceivedBlockMetadataLog.open(checkpointDir, new Configuration(), settings,
                    new SystemClock())) {
                RecoveredBlocks recovered = metadata.recover();
                List<ReceivedBlockInfo> blocks = recovered.blocksOfBatch(new Time(1000), 0);
                assertThat(blocks).extracting(ReceivedBlockInfo::numRecords).containsExactly(2L, 1L);
                assertThat(blocks).allSatisfy(b -> assertThat(b.walHandle()).isNotNull());
                assertThat(recovered.unallocated()).isEmpty();
            }
        }
    }

    @Test
    void enablingTheLogWithoutACheckpointDirectoryFailsAtStartSayingWhatToDo() {
        try (var harness = StreamingTestKit.create().checkpoint(false)
                .conf(SluiceConf.RECEIVER_WAL_ENABLE.name(), "true").open()) {
            harness.context().receiverStream(new ControlledReceiver<Integer>()).foreachRDD((ds, t) -> { });
            assertThatThrownBy(() -> harness.runBatches(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sluice.streaming.receiver.writeAheadLog.enable is true, but no checkpoint "
                            + "directory is set").hasMessageContaining("StreamingContext.checkpoint(dir)");
        }
    }

    @Test
    void aBlockTheLogCannotTakeIsRefusedToTheReceiverNamingThePath(@TempDir Path tmp) throws Exception {
        // the metadata checkpoints can be written, the received-data log cannot
        Path checkpoint = Files.createDirectories(tmp.resolve("checkpoint"));
        Files.writeString(checkpoint.resolve("receivedData"), "a file where the log's directory should be");
        Path notADirectory = checkpoint;
        var receiver = new ControlledReceiver<Integer>();
        try (var harness = StreamingTestKit.create().checkpoint(false)
                .conf(SluiceConf.RECEIVER_WAL_ENABLE.name(), "true")
                .conf(SluiceConf.WAL_MAX_RETRIES.name(), "1")
                .conf(SluiceConf.WAL_RETRY_BACKOFF.name(), "1ms").open()) {
            var ssc = harness.context();
            ssc.checkpoint(notADirectory.toUri().toString());
            ssc.receiverStream(receiver).foreachRDD((ds, t) -> { });
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);

            assertThatThrownBy(() -> receiver.store(List.of(1, 2, 3)))
                    .isInstanceOf(WriteAheadLogException.class)
                    .hasMessageContaining(notADirectory.toString() + "/receivedData/0")
                    .hasMessageContaining("after 2 attempt(s)");
            assertThat(ssc.receiverTracker().unallocatedBlocks(0)).isEmpty();
            assertThat(ssc.context().blockStore().size()).isZero();
        }
    }

    @Test
    void aMetadataLogThatCannotBeWrittenFailsTheContextLoudlyNamingThePath(@TempDir Path tmp) throws Exception {
        // the metadata checkpoints can be written, the block metadata log cannot
        Path checkpoint = Files.createDirectories(tmp.resolve("checkpoint"));
        Files.writeString(checkpoint.resolve("receivedBlockMetadata"), "a file where the log's directory should be");
        Path notADirectory = checkpoint;
        try (var harness = StreamingTestKit.create().checkpoint(false)
                .conf(SluiceConf.WAL_MAX_RETRIES.name(), "1")
                .conf(SluiceConf.WAL_RETRY_BACKOFF.name(), "1ms").open()) {
            var ssc = harness.context();
            ssc.checkpoint(notADirectory.toUri().toString());
            ssc.receiverStream(new ControlledReceiver<Integer>()).foreachRDD((ds, t) -> { });
            harness.runBatches(0);
            harness.clock().advance(1000); // batch 1000 allocates its blocks: the allocation cannot be journaled

            assertThatThrownBy(() -> ssc.awaitTerminationOrTimeout(30_000))
                    .isInstanceOf(WriteAheadLogException.class)
                    .hasMessageContaining(notADirectory.toString() + "/receivedBlockMetadata")
                    .hasMessageContaining("after 2 attempt(s)");
        }
    }
}
