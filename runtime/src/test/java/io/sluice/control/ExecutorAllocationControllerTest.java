package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.listener.StreamingListenerEvent.BatchSubmitted;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The controller against a fake cluster whose executors come and go the moment they are asked for. Batch interval
 * 1 s, scaling interval 10 s, scale up above 0.9 and down below 0.5 of the batch interval, one executor per step
 * down, backlog drained within 3 intervals, one core per executor and no receivers unless a test says otherwise.
 */
class ExecutorAllocationControllerTest {
    private static final Duration BATCH = Duration.ofSeconds(1);
    private static final long SCALING_MS = 10_000;

    private final ManualClock clock = new ManualClock(0);
    private long lastBatchMs;

    static DynamicAllocationConfig config(int min, int max, int initial, int step) {
        return new DynamicAllocationConfig(true, min, max, initial, Duration.ofMillis(SCALING_MS), 0.9, 0.5, step, 3);
    }

    private ExecutorAllocationController started(DynamicAllocationConfig config, FakeExecutors executors) {
        return started(config, 1, 0, executors);
    }

    private ExecutorAllocationController started(DynamicAllocationConfig config, int cores, int receivers,
                                                 FakeExecutors executors) {
        var c = new ExecutorAllocationController(config, BATCH, cores, receivers, executors);
        c.start(clock.currentTimeMillis());
        return c;
    }

    /** Reports {@code n} completed batches that each took {@code processingMs}. */
    private void completed(ExecutorAllocationController c, int n, long processingMs) {
        for (int i = 0; i < n; i++) {
            lastBatchMs += BATCH.toMillis();
            long start = clock.currentTimeMillis();
            c.onBatchCompleted(new BatchCompleted(
                    new BatchInfo(Time.ofMillis(lastBatchMs), Map.of(), start, start, start + processingMs, Map.of())));
        }
    }

    /** Reports {@code n} batches submitted and not started. */
    private void submitted(ExecutorAllocationController c, int n) {
        for (int i = 0; i < n; i++) {
            lastBatchMs += BATCH.toMillis();
            c.onBatchSubmitted(new BatchSubmitted(
                    new BatchInfo(Time.ofMillis(lastBatchMs), Map.of(), clock.currentTimeMillis(), -1, -1, Map.of())));
        }
    }

    private void nextInterval(ExecutorAllocationController c) {
        clock.advance(SCALING_MS);
        c.runOnce(clock.currentTimeMillis());
    }

    @Test
    void loadStepJumpsToTheNeededCountWithinOneScalingInterval() {
        var executors = new FakeExecutors(0);
        var c = started(config(2, 100, 2, 1), executors);
        assertThat(executors.requests).containsExactly(2);

        completed(c, 10, 300); // 30 % of the interval: between the thresholds, nothing to do
        nextInterval(c);
        assertThat(executors.requests).containsExactly(2);

        // 3000 ms on 2 executors is 6000 executor-ms a batch; under 0.9 × 1000 ms that takes ceil(6000 / 900) = 7
        completed(c, 3, 3000);
        nextInterval(c);
        assertThat(executors.requests).containsExactly(2, 7);
        assertThat(c.target()).isEqualTo(7);

        // on 7 executors the same work takes 857 ms: met, so no further request
        completed(c, 11, 6000 / 7);
        nextInterval(c);
        assertThat(executors.requests).containsExactly(2, 7);
    }

    @Test
    void afterTheLoadEndsTheTargetFallsBackOneStepPerIntervalToTheMinimum() {
        var executors = new FakeExecutors(0);
        var c = started(config(2, 100, 7, 1), executors);
        for (int i = 0; i < 8; i++) {
            completed(c, 10, 700 / executors.running); // 700 executor-ms a batch: light on any count here
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(7, 6, 5, 4, 3, 2);
    }

    @Test
    void aLargerStepStillStopsAtTheMinimum() {
        var executors = new FakeExecutors(0);
        var c = started(config(2, 100, 7, 2), executors);
        for (int i = 0; i < 6; i++) {
            completed(c, 10, 700 / executors.running);
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(7, 5, 3, 2);
    }

    @Test
    void scalingDownNeverGoesBelowWhatTheLoadNeeds() {
        var executors = new FakeExecutors(0);
        var c = started(config(1, 100, 10, 100), executors);
        // 2700 executor-ms a batch: 270 ms on 10 executors is idle, but fewer than ceil(2700 / 900) = 3 would be late
        for (int i = 0; i < 5; i++) {
            completed(c, 10, 2700 / executors.running);
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(10, 3);
    }

    @Test
    void gradualScaleDownStopsOnceBatchesLeaveTheIdleBand() {
        var executors = new FakeExecutors(0);
        var c = started(config(1, 100, 10, 1), executors);
        // 2700 executor-ms: 9 → 300 ms, 8 → 337, 7 → 386, 6 → 450, 5 → 540 ms, no longer below 0.5 × 1000
        for (int i = 0; i < 10; i++) {
            completed(c, 10, 2700 / executors.running);
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(10, 9, 8, 7, 6, 5);
    }

    @Test
    void maxCapsAHugeDemandAndMinHoldsUnderNoLoad() {
        var executors = new FakeExecutors(0);
        var c = started(config(2, 5, 2, 1), executors);
        for (int i = 0; i < 3; i++) {
            completed(c, 1, 30_000); // would need ceil(2 × 30000 / 900) = 67
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(2, 5);

        var idle = new FakeExecutors(0);
        var d = started(DynamicAllocationConfig.from(new SluiceConf(false)
                .set(SluiceConf.DYN_ALLOC_ENABLED, true)
                .set(SluiceConf.DYN_ALLOC_MIN, 3)), idle);
        for (int i = 0; i < 5; i++) {
            completed(d, 10, 1);
            nextInterval(d);
        }
        assertThat(idle.requests).containsExactly(3);
    }

    @Test
    void noisyLoadAtTheScaleUpThresholdMovesOnceAndThenStays() {
        // 3600 executor-ms a batch: 900 ms ± 8 % on 4 executors, right at 0.9 × 1000 ms
        assertThat(targetsUnderNoise(4, 3600, 0.08)).containsExactly(4, 5);
    }

    @Test
    void noisyLoadAtTheScaleDownThresholdMovesOnceAndThenStays() {
        // 1920 executor-ms a batch: 480 ms ± 5 % on 4 executors, around 0.5 × 1000 ms
        assertThat(targetsUnderNoise(4, 1920, 0.05)).containsExactly(4, 3);
    }

    /** 40 scaling intervals of batches taking {@code work × (1 ± noise) / executors}; the requests made. */
    private List<Integer> targetsUnderNoise(int initial, double work, double noise) {
        var random = new Random(42);
        var executors = new FakeExecutors(0);
        var c = started(config(1, 100, initial, 1), executors);
        for (int i = 0; i < 40; i++) {
            for (int b = 0; b < 10; b++) {
                double factor = 1 + noise * (2 * random.nextDouble() - 1);
                completed(c, 1, Math.round(work * factor / executors.running));
            }
            nextInterval(c);
        }
        return executors.requests;
    }

    @Test
    void waitingBatchesAddCapacityToDrainThem() {
        var plain = new FakeExecutors(2);
        var c = started(config(1, 100, 2, 1), plain);
        completed(c, 3, 1800);
        nextInterval(c);
        // 3600 executor-ms a batch: ceil(3600 / 900) = 4
        assertThat(plain.requests).containsExactly(2, 4);

        var behind = new FakeExecutors(2);
        var d = started(config(1, 100, 2, 1), behind);
        completed(d, 3, 1800);
        submitted(d, 10);
        nextInterval(d);
        // plus 10 waiting batches processed within 3 × 10 s: ceil(4 + 10 × 3600 / 30000) = ceil(5.2) = 6
        assertThat(behind.requests).containsExactly(2, 6);
    }

    @Test
    void receiverCoresAreNotCountedAsCompute() {
        var executors = new FakeExecutors(2);
        // 2 executors × 2 cores, 1 held by the receiver: 3 task cores took 3000 ms, 9000 core-ms a batch;
        // ceil(9000 / 900) = 10 task cores plus the receiver's = 11 cores = 6 executors (not 7 as if 4 had worked)
        var c = started(config(1, 100, 2, 1), 2, 1, executors);
        completed(c, 3, 3000);
        nextInterval(c);
        assertThat(executors.requests).containsExactly(2, 6);
    }

    @Test
    void initialTargetIsAskedForAtStart() {
        var executors = new FakeExecutors(0);
        var c = started(config(1, 10, 3, 1), executors);
        assertThat(executors.requests).containsExactly(3);
        assertThat(c.target()).isEqualTo(3);

        // unset initial count means the minimum
        var fromConf = new FakeExecutors(0);
        started(DynamicAllocationConfig.from(new SluiceConf(false)
                .set(SluiceConf.DYN_ALLOC_ENABLED, true)
                .set(SluiceConf.DYN_ALLOC_MIN, 4)), fromConf);
        assertThat(fromConf.requests).containsExactly(4);

        // minimum 0 with two single-core receivers: they and one task core need 3 executors
        var withReceivers = new FakeExecutors(0);
        started(config(0, 10, 0, 1), 1, 2, withReceivers);
        assertThat(withReceivers.requests).containsExactly(3);
    }

    @Test
    void disabledControllerNeverAsks() {
        var executors = new FakeExecutors(2);
        var c = started(new DynamicAllocationConfig(false, 1, 100, 2, Duration.ofMillis(SCALING_MS), 0.9, 0.5, 1, 3),
                executors);
        completed(c, 3, 30_000);
        submitted(c, 20);
        nextInterval(c);
        nextInterval(c);
        assertThat(executors.requests).isEmpty();
        assertThat(c.target()).isZero();
    }

    @Test
    void withoutCompletedBatchesTheTargetIsKept() {
        var executors = new FakeExecutors(0);
        var c = started(config(1, 100, 2, 1), executors);
        submitted(c, 30); // a backlog, but nothing measured what a batch costs
        for (int i = 0; i < 3; i++) {
            nextInterval(c);
        }
        assertThat(executors.requests).containsExactly(2);
    }

    @Test
    void scalesDownOnlyOncePerScalingInterval() {
        var executors = new FakeExecutors(4);
        var c = started(config(1, 100, 4, 1), executors);
        completed(c, 3, 100);
        clock.advance(SCALING_MS - 1);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(4);
        clock.advance(1);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(4, 3);
    }

    @Test
    void scalesUpAsSoonAsCompletedBatchesShowTheNeedAndStartsANewInterval() {
        var executors = new FakeExecutors(2);
        var c = started(config(1, 100, 2, 1), executors);
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        completed(c, 1, 3000); // one slow batch could be a GC pause: not enough
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2);
        completed(c, 1, 3000); // two are: 6000 executor-ms a batch needs 7
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 7);

        // light batches right after: a scale-down waits for the end of the interval that the scale-up started
        completed(c, 5, 100);
        clock.advance(SCALING_MS - 1);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 7);
        clock.advance(1);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 7, 6);
    }

    @Test
    void aSlowBatchBetweenFastOnesDoesNotScaleUpEarly() {
        var executors = new FakeExecutors(2);
        var c = started(config(1, 100, 2, 1), executors);
        for (int i = 0; i < 4; i++) {
            completed(c, 1, i % 2 == 0 ? 3000 : 300);
            clock.advance(1000);
            c.runOnce(clock.currentTimeMillis());
        }
        assertThat(executors.requests).containsExactly(2);
    }

    @Test
    void anEarlyScaleUpWaitsUntilTheExecutorsItAskedForRun() {
        var executors = new FakeExecutors(2);
        executors.followRequests = false;
        var c = started(config(1, 100, 2, 1), executors);
        completed(c, 2, 1500); // 3000 executor-ms: 4
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 4);

        // the JVMs are starting; slower batches meanwhile do not make it ask again before they run
        completed(c, 2, 3000);
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 4);
        executors.running = 4;
        clock.advance(1000);
        c.runOnce(clock.currentTimeMillis());
        assertThat(executors.requests).containsExactly(2, 4, 7);
    }

    @Test
    void executorsThatJoinedMidIntervalAreNotCreditedWithItsSlowBatches() {
        var executors = new FakeExecutors(2);
        executors.followRequests = false;
        var c = started(config(1, 100, 2, 1), executors);
        completed(c, 3, 3000);
        nextInterval(c);
        assertThat(executors.requests).containsExactly(2, 7);

        // the 5 new executors registered halfway through the next interval: its batches mix 3000 ms and 857 ms
        completed(c, 2, 3000);
        executors.running = 7;
        completed(c, 6, 857);
        nextInterval(c);
        // crediting the mean (1524 ms) to 7 executors would ask for ceil(7 × 1524 / 900) = 12; to 2 it needs 4
        assertThat(executors.requests).containsExactly(2, 7);
    }

    @Test
    void simulatedLoadStepConvergesDrainsItsBacklogAndFallsBack() {
        var executors = new FakeExecutors(0);
        var c = started(config(2, 100, 2, 1), executors);
        // 1200 executor-ms a batch (600 ms on 2), 6000 for batches of 20 s to 80 s
        var stream = new SimulatedStream(c, BATCH.toMillis(), () -> executors.running,
                t -> t > 20_000 && t <= 80_000 ? 6000 : 1200);
        var targets = new ArrayList<Integer>();
        var waiting = new ArrayList<Integer>();
        for (long t = 1000; t <= 24 * SCALING_MS; t += 1000) {
            // the driver reads the executor count every batch interval and decides every scaling interval
            stream.runUntil(t);
            clock.setTime(t);
            c.runOnce(clock.currentTimeMillis());
            if (t % SCALING_MS == 0) {
                targets.add(c.target());
                waiting.add(stream.waiting());
            }
        }
        int peak = targets.stream().max(Integer::compare).orElseThrow();
        int peakAt = targets.indexOf(peak);
        assertThat(peakAt).as("targets %s", targets).isLessThan(5);
        assertThat(waiting.subList(peakAt + 3, 8)).as("waiting batches %s", waiting).containsOnly(0);
        // after the load ends at 80 s: one executor fewer per interval, down to the minimum, and no rise again
        int firstDown = peakAt;
        while (targets.get(firstDown + 1) >= targets.get(firstDown)) {
            firstDown++;
        }
        assertThat(firstDown).as("targets %s", targets).isGreaterThanOrEqualTo(7);
        for (int i = firstDown + 1; i < targets.size(); i++) {
            assertThat(targets.get(i)).as("targets %s", targets).isEqualTo(Math.max(2, targets.get(i - 1) - 1));
        }
        assertThat(targets.get(targets.size() - 1)).isEqualTo(2);
        assertThat(stream.completed).isGreaterThan(230);
    }
}
