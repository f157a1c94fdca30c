package io.sluice.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.util.ManualClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceivedBlockMetadataLogTest {
    private static final WalSettings SETTINGS = new WalSettings(Duration.ofSeconds(10), 2, Duration.ofMillis(1),
            Duration.ofMillis(2));

    @TempDir
    java.nio.file.Path checkpointDir;
    private final ManualClock clock = new ManualClock(1_000);

    private ReceivedBlockMetadataLog open() {
        return ReceivedBlockMetadataLog.open(checkpointDir.toUri().toString(), new Configuration(), SETTINGS, clock);
    }

    private static ReceivedBlockInfo block(int stream, long time) {
        return new ReceivedBlockInfo(stream, ReceivedBlockInfo.blockId(stream, time), time, 10, List.of("host:7077"),
                new RecordHandle("hdfs://nn:8020/ckpt/receivedData/" + stream + "/log-0-60000", 8 + time, 100));
    }

    @Test
    void aRestartedDriverRecoversUnallocatedBlocksAndEveryBatchAllocation() {
        ReceivedBlockInfo a0 = block(0, 1_100), a1 = block(1, 1_200), b0 = block(0, 2_100), c1 = block(1, 3_100);
        try (var log = open()) {
            log.blockAdded(a0);
            log.blockAdded(a1);
            clock.setTime(2_000);
            log.batchAllocated(new Time(2_000), Map.of(0, List.of(a0), 1, List.of(a1)));
            log.blockAdded(b0);
            clock.setTime(3_000);
            log.batchAllocated(new Time(3_000), Map.of(0, List.of(b0)));
            log.blockAdded(c1);
        }
        RecoveredBlocks recovered;
        try (var log = open()) {
            recovered = log.recover();
        }
        assertThat(recovered.allocated().keySet()).containsExactly(new Time(2_000), new Time(3_000));
        assertThat(recovered.blocksOfBatch(new Time(2_000), 0)).containsExactly(a0);
        assertThat(recovered.blocksOfBatch(new Time(2_000), 1)).containsExactly(a1);
        assertThat(recovered.blocksOfBatch(new Time(3_000), 0)).containsExactly(b0);
        assertThat(recovered.blocksOfBatch(new Time(3_000), 1)).isEmpty();
        assertThat(recovered.unallocated()).isEqualTo(Map.of(1, List.of(c1)));
        assertThat(recovered.lastAllocatedBatch()).isEqualTo(new Time(3_000));
        assertThat(recovered.damage()).isEmpty();
        // The write-ahead log handles survive, so a batch's blocks can be read back from the received-data logs.
        assertThat(recovered.blocksOfBatch(new Time(2_000), 0).get(0).walHandle()).isEqualTo(a0.walHandle());
    }

    @Test
    void anEmptyAllocationStillMovesTheLastAllocatedBatch() {
        try (var log = open()) {
            log.batchAllocated(new Time(5_000), Map.of());
            assertThat(log.recover().lastAllocatedBatch()).isEqualTo(new Time(5_000));
        }
    }

    @Test
    void aBlockLoggedTwiceIsRecoveredOnceAndNotAfterItsAllocation() {
        ReceivedBlockInfo a = block(0, 1_100);
        try (var log = open()) {
            log.blockAdded(a);
            log.blockAdded(a); // a retried write that had reached the file system
            assertThat(log.recover().unallocated().get(0)).containsExactly(a);
            log.batchAllocated(new Time(2_000), Map.of(0, List.of(a)));
            log.blockAdded(a); // a late duplicate of an allocated block must not be processed twice
            assertThat(log.recover().unallocated().getOrDefault(0, List.of())).isEmpty();
        }
    }

    @Test
    void cleaningForgetsBatchesBeforeTheThresholdAndDeletesSegmentsOneRollingIntervalBehindIt() throws IOException {
        ReceivedBlockInfo a = block(0, 1_100), b = block(0, 12_100), c = block(0, 25_000);
        try (var log = open()) {
            log.blockAdded(a);
            clock.setTime(2_000);
            log.batchAllocated(new Time(2_000), Map.of(0, List.of(a)));
            clock.setTime(12_200);
            log.blockAdded(b);
            clock.setTime(13_000);
            log.batchAllocated(new Time(13_000), Map.of(0, List.of(b)));
            clock.setTime(25_100);
            log.blockAdded(c);
            clock.setTime(26_000);
            log.batchesCleaned(new Time(13_000));

            RecoveredBlocks recovered = log.recover();
            assertThat(recovered.allocated().keySet()).containsExactly(new Time(13_000));
            assertThat(recovered.unallocated().get(0)).containsExactly(c);
            // The first segment ends at 10 s, within one rolling interval (10 s) of the threshold: a block added
            // there might still wait for its batch, so it stays.
            assertThat(segments()).containsExactly("log-0-10000", "log-10000-20000", "log-20000-30000");

            clock.setTime(27_000);
            log.batchesCleaned(new Time(20_000));
            recovered = log.recover();
            assertThat(recovered.allocated()).isEmpty();
            assertThat(recovered.unallocated().get(0)).containsExactly(c);
            assertThat(segments()).containsExactly("log-10000-20000", "log-20000-30000");
        }
    }

    private List<String> segments() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(checkpointDir.resolve(ReceivedBlockMetadataLog.DIRECTORY))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aTornLastEventLosesOnlyThatEventAndIsReported() throws IOException {
        ReceivedBlockInfo a = block(0, 1_100), b = block(0, 1_200);
        try (var log = open()) {
            log.blockAdded(a);
            log.blockAdded(b);
        }
        var segment = checkpointDir.resolve(ReceivedBlockMetadataLog.DIRECTORY).resolve("log-0-10000");
        try (var f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 5);
        }
        try (var log = open()) {
            RecoveredBlocks recovered = log.recover();
            assertThat(recovered.unallocated().get(0)).containsExactly(a);
            assertThat(recovered.damage()).singleElement()
                    .satisfies(e -> assertThat(e.getMessage()).contains("log-0-10000").contains("truncated"));
        }
    }

    @Test
    void anEventOfAnUnknownVersionIsRefusedNamingTheLog() {
        var wal = FileSystemWriteAheadLog.open(checkpointDir.toUri().toString(), new Configuration(), SETTINGS);
        wal.write(ByteBuffer.wrap(new byte[] {9, 1, 0, 0}), new Time(1_000));
        try (var log = new ReceivedBlockMetadataLog(wal, clock)) {
            assertThatThrownBy(log::recover).isInstanceOf(IncompatibleLogFormatException.class)
                    .hasMessageContaining(checkpointDir.toString())
                    .hasMessageContaining("event version 9, this Sluice reads version 1");
        }
    }

    @Test
    void everyEventSurvivesTheBinaryFormat() {
        List<BlockMetadataEvent> events = List.of(
                new BlockMetadataEvent.BlockAdded(block(3, 42)),
                new BlockMetadataEvent.BlockAdded(new ReceivedBlockInfo(1, "input-1-5", 5, 0)),
                new BlockMetadataEvent.BatchAllocated(new Time(7_000), Map.of(3, List.of(block(3, 42), block(3, 43)),
                        1, List.of())),
                new BlockMetadataEvent.BatchCleaned(new Time(6_000)));
        for (BlockMetadataEvent e : events) {
            assertThat(BlockMetadataCodec.decode(BlockMetadataCodec.encode(e))).isEqualTo(e);
        }
    }
}
