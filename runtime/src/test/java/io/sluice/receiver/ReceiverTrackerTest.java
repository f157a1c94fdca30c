package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.storage.BlockStore;
import io.sluice.util.ManualClock;
import io.sluice.wal.RecordHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReceiverTrackerTest {
    private final ManualClock clock = new ManualClock(10_000);
    private final BlockStore store = new BlockStore();
    private final List<StreamingListenerEvent> events = new CopyOnWriteArrayList<>();
    private final ControlledReceiver<String> first = new ControlledReceiver<>();
    private final ControlledReceiver<String> second = new ControlledReceiver<>();
    private ReceiverTracker tracker;

    @BeforeEach
    void startTracker() {
        var settings = new ReceiverSupervisor.Settings(Duration.ofMillis(200), 0, Duration.ofMillis(10), Duration.ofMillis(100));
        tracker = new ReceiverTracker(Map.of(0, first, 1, second), clock, settings, store, events::add);
        tracker.start();
        Await.until("both receivers started", () -> first.isStarted() && second.isStarted());
    }

    @AfterEach
    void stopTracker() {
        tracker.stop(false);
    }

    private static List<String> ids(List<ReceivedBlockInfo> blocks) {
        return blocks.stream().map(ReceivedBlockInfo::blockId).toList();
    }

    @Test
    void blocksReceivedBeforeAllocationGoToThatBatchAndLaterOnesToTheNext() {
        first.store(List.of("a", "b"));
        clock.advance(1);
        first.store(List.of("c"));
        second.store(List.of("x"));

        tracker.allocateBlocksToBatch(new Time(11_000));
        first.store(List.of("d"));

        List<ReceivedBlockInfo> batch1 = tracker.blocksOfBatch(new Time(11_000), 0);
        assertThat(ids(batch1)).containsExactly("input-0-10000", "input-0-10001");
        assertThat(batch1).extracting(ReceivedBlockInfo::numRecords).containsExactly(2L, 1L);
        assertThat(ids(tracker.blocksOfBatch(new Time(11_000), 1))).containsExactly("input-1-10001");
        assertThat(tracker.hasUnallocatedBlocks()).isTrue();

        tracker.allocateBlocksToBatch(new Time(12_000));
        assertThat(tracker.blocksOfBatch(new Time(12_000), 0)).extracting(ReceivedBlockInfo::numRecords).containsExactly(1L);
        assertThat(tracker.blocksOfBatch(new Time(12_000), 1)).isEmpty();
        assertThat(tracker.hasUnallocatedBlocks()).isFalse();
        assertThat(store.<String>get(tracker.blocksOfBatch(new Time(12_000), 0).get(0).blockId())).containsExactly("d");
    }

    @Test
    void anAllocatedBatchNeverChanges() {
        first.store(List.of("a"));
        tracker.allocateBlocksToBatch(new Time(11_000));
        first.store(List.of("b"));

        tracker.allocateBlocksToBatch(new Time(11_000));
        tracker.allocateBlocksToBatch(new Time(10_000));

        assertThat(tracker.blocksOfBatch(new Time(11_000), 0)).hasSize(1);
        assertThat(tracker.unallocatedBlocks(0)).hasSize(1);
    }

    @Test
    void blocksOfOneMillisecondGetDistinctIds() {
        first.store(List.of("a"));
        first.store(List.of("b"));
        first.store(List.of("c"));
        tracker.allocateBlocksToBatch(new Time(11_000));
        assertThat(ids(tracker.blocksOfBatch(new Time(11_000), 0)))
                .containsExactly("input-0-10000", "input-0-10001", "input-0-10002");
    }

    @Test
    void recordsStoredOneByOneArriveAsBlocksCutByTheGenerator() {
        first.store("r1");
        first.store("r2");
        clock.setTime(10_200);
        Await.until("the first block interval was cut", () -> !tracker.unallocatedBlocks(0).isEmpty());

        tracker.allocateBlocksToBatch(new Time(11_000));
        List<ReceivedBlockInfo> blocks = tracker.blocksOfBatch(new Time(11_000), 0);
        assertThat(ids(blocks)).containsExactly("input-0-10000");
        assertThat(store.<String>get("input-0-10000")).containsExactly("r1", "r2");
    }

    @Test
    void cleaningABatchRemovesItsBlocksFromTheStore() {
        first.store(List.of("a"));
        second.store(List.of("b"));
        tracker.allocateBlocksToBatch(new Time(11_000));
        String firstBlock = tracker.blocksOfBatch(new Time(11_000), 0).get(0).blockId();
        String secondBlock = tracker.blocksOfBatch(new Time(11_000), 1).get(0).blockId();

        assertThat(ids(tracker.cleanupBatch(new Time(11_000), 0))).containsExactly(firstBlock);

        assertThat(store.contains(firstBlock)).isFalse();
        assertThat(store.contains(secondBlock)).as("the other stream's block stays until it is cleaned").isTrue();
        assertThat(tracker.blocksOfBatch(new Time(11_000), 1)).hasSize(1);
        tracker.cleanupBatch(new Time(11_000), 1);
        assertThat(store.size()).isZero();
    }

    @Test
    void gracefulStopKeepsBufferedRecordsForALastBatch() {
        first.store("buffered");
        tracker.stop(true);

        assertThat(tracker.hasUnallocatedBlocks()).isTrue();
        tracker.allocateBlocksToBatch(new Time(11_000));
        List<ReceivedBlockInfo> last = tracker.blocksOfBatch(new Time(11_000), 0);
        assertThat(last).hasSize(1);
        assertThat(store.<String>get(last.get(0).blockId())).containsExactly("buffered");
        assertThat(first.stops).hasValue(1);
    }

    @Test
    void immediateStopDropsUnallocatedBlocks() {
        first.store(List.of("a"));
        first.store("buffered");
        tracker.stop(false);

        assertThat(tracker.hasUnallocatedBlocks()).isFalse();
        assertThat(store.size()).isZero();
    }

    @Test
    void startAndStopArePublishedAsListenerEvents() {
        tracker.stop(false);
        assertThat(events).filteredOn(e -> e instanceof StreamingListenerEvent.ReceiverStarted)
                .extracting(e -> ((StreamingListenerEvent.ReceiverStarted) e).receiverInfo().streamId())
                .containsExactlyInAnyOrder(0, 1);
        assertThat(events).filteredOn(e -> e instanceof StreamingListenerEvent.ReceiverStopped)
                .extracting(e -> ((StreamingListenerEvent.ReceiverStopped) e).receiverInfo())
                .allSatisfy(info -> {
                    assertThat(info.active()).isFalse();
                    assertThat(info.name()).startsWith("ControlledReceiver-");
                })
                .hasSize(2);
    }

    @Test
    void refusesAsManyReceiversAsTaskSlots() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReceiverTracker.checkTaskSlots("local[2]", 2, 2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("local[2] has 2 task slot(s) but the application has 2 receiver(s); each receiver occupies "
                        + "a slot permanently, so no batch could ever be processed. Use local[n] with n > number of "
                        + "receivers (e.g. local[3]).");
        ReceiverTracker.checkTaskSlots("local[3]", 3, 2);
        ReceiverTracker.checkTaskSlots("local[1]", 1, 0);
    }

    @Test
    void aLostLocationIsForgottenAndAnUnallocatedBlockWithoutAnotherCopyIsDropped() {
        tracker.addBlock(new ReceivedBlockInfo(0, "input-0-1", 1, 3, List.of("h:1", "h:2")));
        tracker.addBlock(new ReceivedBlockInfo(0, "input-0-2", 2, 4, List.of("h:1", "h:3")));
        tracker.allocateBlocksToBatch(new Time(11_000));
        tracker.addBlock(new ReceivedBlockInfo(0, "input-0-3", 3, 5, List.of("h:2", "h:1")));
        tracker.addBlock(new ReceivedBlockInfo(0, "input-0-4", 4, 6, List.of("h:2")));

        assertThat(tracker.holdsOnlyCopy("h:2")).as("input-0-4").isTrue();
        assertThat(tracker.holdsOnlyCopy("h:1")).isFalse();

        tracker.locationLost("h:2");

        assertThat(tracker.blocksOfBatch(new Time(11_000), 0)).extracting(ReceivedBlockInfo::locations)
                .containsExactly(List.of("h:1"), List.of("h:1", "h:3"));
        assertThat(tracker.unallocatedBlocks(0)).extracting(ReceivedBlockInfo::blockId).containsExactly("input-0-3");
        assertThat(tracker.unallocatedBlocks(0).get(0).locations()).containsExactly("h:1");
        assertThat(tracker.holdsOnlyCopy("h:1")).as("input-0-1 and input-0-3 are left there only").isTrue();
        tracker.cleanupBatch(new Time(11_000), 0);
        tracker.allocateBlocksToBatch(new Time(12_000));
        tracker.cleanupBatch(new Time(12_000), 0);
        assertThat(tracker.holdsOnlyCopy("h:1")).isFalse();
    }

    private static final RecordHandle LOGGED = new RecordHandle("file:/wal/receivedData/0/log-1", 16, 100);

    private static ReceivedBlockInfo logged(String id, long time, List<String> locations) {
        return new ReceivedBlockInfo(0, id, time, 5, locations, LOGGED);
    }

    @Test
    void aBlockInTheWriteAheadLogWhoseLastCopyIsLostStaysAndGoesToItsBatch() {
        tracker.addBlock(logged("input-0-1", 1, List.of("h:1")));
        tracker.allocateBlocksToBatch(new Time(11_000));
        tracker.addBlock(logged("input-0-2", 2, List.of("h:1", "h:2")));
        tracker.addBlock(logged("input-0-3", 3, List.of("h:1")));
        tracker.addBlock(new ReceivedBlockInfo(0, "input-0-4", 4, 6, List.of("h:1")));

        tracker.locationLost("h:1");

        assertThat(tracker.blocksOfBatch(new Time(11_000), 0)).as("read from the log by its task")
                .containsExactly(logged("input-0-1", 1, List.of()));
        assertThat(tracker.unallocatedBlocks(0)).as("input-0-4 was in no log: lost")
                .containsExactly(logged("input-0-2", 2, List.of("h:2")), logged("input-0-3", 3, List.of()));
        tracker.locationLost("h:2");
        tracker.allocateBlocksToBatch(new Time(12_000));
        assertThat(tracker.blocksOfBatch(new Time(12_000), 0))
                .containsExactly(logged("input-0-2", 2, List.of()), logged("input-0-3", 3, List.of()));
    }

    /** Runs nothing; says which executors are live. */
    private static final class FakeLauncher implements ReceiverTracker.ReceiverLauncher {
        final java.util.Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void start(Map<Integer, Receiver<?>> receivers, ReceiverTracker tracker) {
        }

        @Override
        public void stop(boolean graceful) {
        }

        @Override
        public void removeBlocks(List<ReceivedBlockInfo> blocks) {
        }

        @Override
        public boolean isLive(String location) {
            return live.contains(location);
        }
    }

    private ReceiverTracker onExecutors(FakeLauncher launcher) {
        var settings = new ReceiverSupervisor.Settings(Duration.ofMillis(200), 0, Duration.ofMillis(10), Duration.ofMillis(100));
        var t = new ReceiverTracker(Map.of(0, new ControlledReceiver<String>()), clock, settings, store, events::add,
                launcher);
        t.start();
        return t;
    }

    @Test
    void aCopyAtAnExecutorNoLongerLiveDoesNotKeepAnotherFromHoldingTheOnlyCopy() {
        var launcher = new FakeLauncher();
        launcher.live.addAll(List.of("h:1", "h:2", "h:3"));
        ReceiverTracker t = onExecutors(launcher);
        try {
            t.addBlock(new ReceivedBlockInfo(0, "input-0-1", 1, 3, List.of("h:1", "h:2")));
            assertThat(t.holdsOnlyCopy("h:1")).isFalse();
            launcher.live.remove("h:2"); // lost; the tracker is not told yet
            assertThat(t.holdsOnlyCopy("h:1")).as("the copy at h:2 is gone").isTrue();

            t.addBlock(logged("input-0-2", 2, List.of("h:3")));
            assertThat(t.holdsOnlyCopy("h:3")).as("a block in the write-ahead log pins no executor").isFalse();
        } finally {
            t.stop(false);
        }
    }

    @Test
    void aBlockReportedAfterExecutorsHoldingItWereLostCountsOnlyLiveCopiesAndWithoutAnyIsRefusedUnlessLogged() {
        var launcher = new FakeLauncher();
        launcher.live.addAll(List.of("h:1", "h:2"));
        ReceiverTracker t = onExecutors(launcher);
        try {
            launcher.live.remove("h:2"); // the peer took a copy, then was lost before the block was reported
            t.addBlock(new ReceivedBlockInfo(0, "input-0-1", 1, 3, List.of("h:1", "h:2")));
            launcher.live.remove("h:1"); // then the receiver's executor too
            t.addBlock(logged("input-0-2", 2, List.of("h:1", "h:2")));
            assertThatThrownBy(() -> t.addBlock(new ReceivedBlockInfo(0, "input-0-3", 3, 4, List.of("h:1", "h:2"))))
                    .as("refused, so that the receiver's store fails and its source sends the records again")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("input-0-3").hasMessageContaining("not accepted");
            assertThat(t.unallocatedBlocks(0)).containsExactly(
                    new ReceivedBlockInfo(0, "input-0-1", 1, 3, List.of("h:1")), logged("input-0-2", 2, List.of()));
        } finally {
            t.stop(false);
        }
    }

    @Test
    void aBlockReportedAfterTheTrackerStoppedIsRefusedNotSilentlyDropped() {
        tracker.stop(false);
        assertThatThrownBy(() -> tracker.addBlock(new ReceivedBlockInfo(0, "input-0-1", 1, 3)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("the tracker is stopped");
    }
}
