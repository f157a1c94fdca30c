package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.storage.StorageLevel;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Backpressure through the whole engine on a manual clock: a receiver whose source offers ten times what the job
 * can process, the real block generator, tracker, job scheduler, listener bus, rate controller and PID estimator,
 * and an output operation that takes {@code records / }{@value #PROCESSING_RATE}{@code  s} of clock time. The test
 * moves the clock in steps of {@value #STEP_MS} ms and, after each step, waits until the engine has caught up with
 * it (block cut, batch submitted, the running batch parked in its simulated work, listener bus drained).
 */
class BackpressureEndToEndTest {
    private static final long BATCH_MS = 1000;
    private static final long BLOCK_MS = 100;
    private static final long STEP_MS = 10;
    private static final long PROCESSING_RATE = 2000;
    private static final long JOB_OVERHEAD_MS = 20;
    private static final long SOURCE_RATE_PER_MS = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Offers {@value #SOURCE_RATE_PER_MS} records per ms of clock time; what the receiver does not take waits. */
    static final class FastSource extends Receiver<Integer> {
        private static final long serialVersionUID = 1L;
        private final transient ManualClock clock;
        private transient volatile Thread thread;

        FastSource(ManualClock clock) {
            super(StorageLevel.MEMORY_ONLY);
            this.clock = clock;
        }

        @Override
        public void onStart() {
            thread = new Thread(() -> {
                long produced = 0;
                Integer record = 1;
                try {
                    while (!isStopped()) {
                        long now = clock.currentTimeMillis();
                        if (produced < SOURCE_RATE_PER_MS * now) {
                            store(record); // waits while the rate limit is reached
                            produced++;
                        } else {
                            clock.waitTillTime(now + 1, 50);
                        }
                    }
                } catch (IllegalStateException stopped) {
                    // the receiver was stopped while storing
                }
            }, "fast-source");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void onStop() {
        }
    }

    /** The output operation's simulated work: {@code records / rate} seconds of clock time. */
    static final class SimulatedWork {
        private final ManualClock clock;
        volatile long parkedUntil = -1;

        SimulatedWork(ManualClock clock) {
            this.clock = clock;
        }

        void process(long records) {
            long target = clock.currentTimeMillis() + JOB_OVERHEAD_MS + records * 1000 / PROCESSING_RATE;
            parkedUntil = target;
            try {
                while (clock.currentTimeMillis() < target && !Thread.currentThread().isInterrupted()) {
                    clock.waitTillTime(target, 100);
                }
            } finally {
                parkedUntil = -1;
            }
        }
    }

    private record Run(List<BatchInfo> batches, List<Long> backlogAtBatchTime, List<Integer> blocksHeld) {
        List<Long> schedulingDelays() {
            return batches.stream().map(b -> b.schedulingDelay().orElseThrow()).toList();
        }

        double meanRecords(int from, int to) {
            return batches.subList(from, to).stream().mapToLong(BatchInfo::numRecords).average().orElseThrow();
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    private static Run run(boolean backpressure, int batches) {
        var kit = StreamingTestKit.create().checkpoint(false).timeout(TIMEOUT)
                .conf(SluiceConf.BLOCK_INTERVAL.name(), BLOCK_MS + "ms");
        if (backpressure) {
            kit.conf(SluiceConf.BACKPRESSURE_ENABLED.name(), "true")
                    .conf(SluiceConf.BACKPRESSURE_INITIAL_RATE.name(), "3000");
        }
        var backlog = new ArrayList<Long>();
        var blocksHeld = new ArrayList<Integer>();
        try (var harness = kit.open()) {
            StreamingContext ssc = harness.context();
            ManualClock clock = harness.clock();
            var work = new SimulatedWork(clock);
            ssc.receiverStream(new FastSource(clock)).foreachRDD(ds -> work.process(ds.count()));
            harness.runBatches(0);
            ReceiverTracker tracker = ssc.receiverTracker();
            await("the receiver started", () -> tracker.supervisor(0) != null && tracker.supervisor(0).isReceiverStarted());
            var generator = tracker.supervisor(0).blockGenerator();
            var scheduler = ssc.jobScheduler();
            for (long t = STEP_MS; t <= batches * BATCH_MS; t += STEP_MS) {
                clock.setTime(t);
                long now = t;
                if (t % BLOCK_MS == 0) {
                    await("the block of " + now + " was cut", () -> generator.lastTickMillis() >= now);
                }
                if (t % BATCH_MS == 0) {
                    Time batch = new Time(t);
                    await("batch " + now + " was submitted", () -> scheduler.pendingBatches().stream()
                            .anyMatch(b -> b.batchTime().equals(batch))
                            || scheduler.lastCompletedTime() != null && !scheduler.lastCompletedTime().isBefore(batch));
                }
                await("the job caught up with " + now, () -> work.parkedUntil > now
                        || scheduler.pendingBatches().isEmpty());
                await("the listener bus delivered", () -> ssc.listenerBus().waitUntilEmpty(TIMEOUT));
                if (t % BATCH_MS == 0) {
                    long held = scheduler.pendingBatches().stream().mapToLong(BatchInfo::numRecords).sum();
                    for (ReceivedBlockInfo b : tracker.unallocatedBlocks(0)) {
                        held += b.numRecords();
                    }
                    backlog.add(held);
                    blocksHeld.add(ssc.context().blockStore().size());
                }
            }
            return new Run(scheduler.completedBatches(), backlog, blocksHeld);
        }
    }

    @Test
    void withBackpressureSchedulingDelayAndMemoryStayBoundedOverHundredsOfBatchesAndIngestionMatchesProcessing() {
        int batches = 200;
        Run run = run(true, batches);
        long perBatch = PROCESSING_RATE * BATCH_MS / 1000;

        assertThat(run.batches()).hasSizeGreaterThan(batches - 3);
        List<Long> delays = run.schedulingDelays();
        assertThat(delays.stream().mapToLong(Long::longValue).max().orElseThrow()).as("warming up included")
                .isLessThanOrEqualTo(3 * BATCH_MS);
        assertThat(delays.subList(50, delays.size())).allSatisfy(d -> assertThat(d).isLessThan(BATCH_MS));
        List<Long> backlog = run.backlogAtBatchTime();
        // held at a batch time: the batch just cut, at most the one finishing (the clock moves in steps) and the
        // blocks of the next one
        assertThat(backlog.subList(50, backlog.size())).allSatisfy(b -> assertThat(b).isLessThanOrEqualTo(3 * perBatch));
        int earlyBlocks = run.blocksHeld().subList(50, 100).stream().mapToInt(Integer::intValue).max().orElseThrow();
        int lateBlocks = run.blocksHeld().subList(batches - 50, batches).stream().mapToInt(Integer::intValue).max()
                .orElseThrow();
        assertThat(lateBlocks).as("blocks held late in the run vs. early (memory stays flat)")
                .isLessThanOrEqualTo(earlyBlocks + 2);
        int n = run.batches().size();
        assertThat(run.meanRecords(n - 50, n)).isBetween(0.8 * perBatch, 1.05 * perBatch);
    }

    @Test
    void withoutBackpressureTheBacklogGrowsBatchAfterBatch() {
        int batches = 40;
        Run run = run(false, batches);
        List<Long> backlog = run.backlogAtBatchTime();
        for (int i = 10; i < batches; i += 10) {
            assertThat(backlog.get(i)).as("backlog at batch %d", i).isGreaterThan(backlog.get(i - 10));
        }
        assertThat(backlog.get(batches - 1)).isGreaterThan(10 * PROCESSING_RATE * BATCH_MS / 1000);
        List<Long> delays = run.schedulingDelays();
        assertThat(delays.get(delays.size() - 1)).isGreaterThan(delays.get(delays.size() / 2)).isGreaterThan(5 * BATCH_MS);
    }
}
