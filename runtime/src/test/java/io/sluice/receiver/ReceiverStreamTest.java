package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Durations;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.BlockDataset;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.testkit.StreamingTestKit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ReceiverStreamTest {

    /** Records receiver events in order. */
    static final class ReceiverEvents implements StreamingListener {
        final List<StreamingListenerEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onReceiverStarted(StreamingListenerEvent.ReceiverStarted e) {
            events.add(e);
        }

        @Override
        public void onReceiverError(StreamingListenerEvent.ReceiverError e) {
            events.add(e);
        }

        @Override
        public void onReceiverStopped(StreamingListenerEvent.ReceiverStopped e) {
            events.add(e);
        }

        List<String> kinds() {
            return events.stream().map(e -> e.getClass().getSimpleName()).toList();
        }

        ReceiverInfo firstError() {
            return events.stream().filter(e -> e instanceof StreamingListenerEvent.ReceiverError)
                    .map(e -> ((StreamingListenerEvent.ReceiverError) e).receiverInfo()).findFirst().orElseThrow();
        }
    }

    @Test
    void eachBatchHoldsTheBlocksReceivedSinceThePreviousOneWithOneBlockPerPartition() {
        var receiver = new ControlledReceiver<Integer>();
        var partitions = new ConcurrentSkipListMap<Time, List<List<Integer>>>();
        var blockIds = new ConcurrentSkipListMap<Time, List<String>>();
        try (var harness = StreamingTestKit.create().open()) {
            StreamingContext ssc = harness.context();
            DStream<Integer> stream = ssc.receiverStream(receiver);
            stream.foreachRDD((ds, time) -> {
                blockIds.put(time, ((BlockDataset<Integer>) ds).blockIds());
                partitions.put(time, ds.glom().collect());
            });
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);

            receiver.store(List.of(1, 2));
            receiver.store(List.of(3));
            harness.runBatches(1);
            harness.runBatches(1);
            receiver.store(List.of(4));
            harness.runBatches(1);

            assertThat(partitions).containsExactly(
                    Map.entry(new Time(1000), List.of(List.of(1, 2), List.of(3))),
                    Map.entry(new Time(2000), List.of()),
                    Map.entry(new Time(3000), List.of(List.of(4))));
            assertThat(ssc.jobScheduler().completedBatches()).extracting(BatchInfo::numRecords).containsExactly(3L, 0L, 1L);

            List<String> firstBatchBlocks = blockIds.get(new Time(1000));
            assertThat(firstBatchBlocks).containsExactly("input-0-0", "input-0-1");
            Await.until("the blocks of the forgotten first batch are removed from the block store",
                    () -> firstBatchBlocks.stream().noneMatch(ssc.context().blockStore()::contains));
        }
    }

    /** Fails its first start by asking for a restart with an error from its own thread, then delivers data. */
    static final class FailingOnceReceiver extends ControlledReceiver<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void onStart() {
            int start = starts.incrementAndGet();
            var t = new Thread(() -> {
                if (start == 1) {
                    restart("connection lost", new IOException("boom"));
                } else {
                    store(List.of("after restart"));
                }
            }, "failing-once-receiver");
            t.start();
        }
    }

    @Test
    void aReceiverThatAsksForARestartIsStoppedAndStartedAgainWithAnErrorEvent() {
        var receiver = new FailingOnceReceiver();
        var listener = new ReceiverEvents();
        var out = new ConcurrentSkipListMap<Time, List<String>>();
        try (var harness = StreamingTestKit.create().conf(SluiceConf.RECEIVER_RESTART_DELAY.name(), "10ms").open()) {
            StreamingContext ssc = harness.context();
            ssc.addStreamingListener(listener);
            ssc.receiverStream(receiver).foreachRDD((ds, t) -> out.put(t, ds.collect()));
            harness.runBatches(0);
            Await.until("the receiver was started a second time and stored its data",
                    () -> receiver.starts.get() == 2 && ssc.receiverTracker().hasUnallocatedBlocks());
            harness.runBatches(1);

            assertThat(out.get(new Time(1000))).containsExactly("after restart");
            assertThat(receiver.stops).hasValue(1);
            Await.until("the second start is published", () -> listener.kinds().stream()
                    .filter("ReceiverStarted"::equals).count() == 2);
            assertThat(listener.kinds()).containsSubsequence("ReceiverError", "ReceiverStopped", "ReceiverStarted");
            ReceiverInfo error = listener.firstError();
            assertThat(error.streamId()).isZero();
            assertThat(error.name()).isEqualTo("FailingOnceReceiver-0");
            assertThat(error.lastErrorMessage()).isEqualTo("connection lost");
            assertThat(error.lastError()).contains("java.io.IOException: boom");
        }
    }

    /** Throws from its first onStart. */
    static final class BrokenStartReceiver extends ControlledReceiver<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void onStart() {
            if (starts.incrementAndGet() == 1) {
                throw new IllegalStateException("cannot open the source yet");
            }
            store(List.of("second start"));
        }
    }

    @Test
    void aReceiverWhoseStartThrowsIsRestarted() {
        var receiver = new BrokenStartReceiver();
        var listener = new ReceiverEvents();
        try (var harness = StreamingTestKit.create().conf(SluiceConf.RECEIVER_RESTART_DELAY.name(), "10ms").open()) {
            StreamingContext ssc = harness.context();
            ssc.addStreamingListener(listener);
            ssc.receiverStream(receiver).print();
            harness.runBatches(0);
            Await.until("the receiver started a second time", () -> receiver.starts.get() == 2 && receiver.isStarted());
            Await.until("the error is published", () -> listener.kinds().contains("ReceiverError"));
            assertThat(listener.firstError().lastErrorMessage()).isEqualTo("Error starting receiver BrokenStartReceiver-0");
            assertThat(listener.firstError().lastError()).contains("cannot open the source yet");
        }
    }

    @Test
    void aReceiverThatStopsItselfIsNotRestartedAndWhatItStoredIsProcessed() {
        var receiver = new ControlledReceiver<String>();
        var out = new ConcurrentSkipListMap<Time, List<String>>();
        try (var harness = StreamingTestKit.create().conf(SluiceConf.RECEIVER_RESTART_DELAY.name(), "10ms").open()) {
            StreamingContext ssc = harness.context();
            ssc.receiverStream(receiver).foreachRDD((ds, t) -> out.put(t, ds.collect()));
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);
            receiver.store("last words");
            receiver.stop("source exhausted");
            Await.until("the receiver stopped", () -> receiver.stops.get() == 1 && ssc.receiverTracker().hasUnallocatedBlocks());
            receiver.restart("too late");
            harness.runBatches(1);

            assertThat(out.get(new Time(1000))).containsExactly("last words");
            assertThat(receiver.isStopped()).isTrue();
            assertThat(receiver.starts).hasValue(1);
            assertThatThrownBy(() -> receiver.store(List.of("after stop"))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void gracefulStopProcessesEverythingReceivedIncludingTheUnfinishedBlock() {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("graceful-receiver")
                .set(SluiceConf.BLOCK_INTERVAL, Durations.seconds(3600));
        var ssc = new StreamingContext(conf, Durations.milliseconds(100));
        var receiver = new ControlledReceiver<Integer>();
        var processed = new ConcurrentSkipListMap<Time, List<Integer>>();
        ssc.receiverStream(receiver).foreachRDD((ds, t) -> processed.put(t, ds.collect()));
        ssc.start();
        try {
            Await.until("the receiver started", receiver::isStarted);
            var sent = new ArrayList<Integer>();
            for (int i = 0; i < 1000; i++) {
                receiver.store(i);
                sent.add(i);
            }
            // The block interval is an hour: everything sits in the block generator's buffer until the stop.
            assertThat(ssc.receiverTracker().hasUnallocatedBlocks()).isFalse();

            ssc.stop(true, true);

            var all = new ArrayList<Integer>();
            processed.values().forEach(all::addAll);
            assertThat(all).containsExactlyElementsOf(sent);
            assertThat(receiver.stops).hasValue(1);
        } finally {
            ssc.stop(true, false);
        }
    }

    @Test
    void stoppingTheContextEndsTheReceiverThreads() {
        var receiver = new ControlledReceiver<String>();
        try (var harness = StreamingTestKit.create().open()) {
            harness.context().receiverStream(receiver).print();
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);
            assertThat(Await.liveThreads("sluice-receiver-supervisor-")).isNotEmpty();
            assertThat(Await.liveThreads("sluice-block-generator-")).isNotEmpty();
        }
        assertThat(receiver.stops).hasValue(1);
        Await.until("the supervisor and block generator threads ended",
                () -> Await.liveThreads("sluice-receiver-supervisor-").isEmpty()
                        && Await.liveThreads("sluice-block-generator-").isEmpty());
    }

    @Test
    void startRefusesWhenReceiversWouldTakeEveryTaskSlot() {
        var ssc = new StreamingContext(new SluiceConf(false).setMaster("local[1]").setAppName("one-slot")
                .set(SluiceConf.CLOCK, "manual"), Durations.seconds(1));
        try {
            ssc.receiverStream(new ControlledReceiver<String>()).print();
            assertThatThrownBy(ssc::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("local[1] has 1 task slot(s) but the application has 1 receiver(s); each receiver "
                            + "occupies a slot permanently, so no batch could ever be processed. Use local[n] with "
                            + "n > number of receivers (e.g. local[2]).");
            assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
        } finally {
            ssc.stop();
        }
    }

    @Test
    void startRefusesTwoReceiversOnTwoSlots() {
        var ssc = new StreamingContext(new SluiceConf(false).setMaster("local[2]").setAppName("two-slots")
                .set(SluiceConf.CLOCK, "manual"), Durations.seconds(1));
        try {
            ssc.union(ssc.receiverStream(new ControlledReceiver<String>()),
                    ssc.receiverStream(new ControlledReceiver<String>())).print();
            assertThatThrownBy(ssc::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("local[2] has 2 task slot(s) but the application has 2 receiver(s)");
        } finally {
            ssc.stop();
        }
    }
}
