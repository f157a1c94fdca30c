package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamInputInfo;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.receiver.BlockGenerator;
import io.sluice.receiver.RateLimiter;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Backpressure over hundreds of batches, played millisecond by millisecond on a manual clock: a source that could
 * produce ten times what the job processes offers records to a real {@link BlockGenerator} and {@link RateLimiter}
 * (excess is not read), blocks go into one batch per interval, a simulated job processes {@value #PROCESSING_RATE}
 * records/s one batch at a time, and each completed batch goes to a real {@link RateController} with the configured
 * {@link PidRateEstimator}, which sets the receiver's rate as a supervisor does. Everything runs on the test thread.
 */
class BackpressureSimulationTest {
    private static final long BATCH_MS = 1000;
    private static final long BLOCK_MS = 100;
    private static final long PROCESSING_RATE = 2000; // records per second the job manages
    private static final long JOB_OVERHEAD_MS = 20;
    private static final long SOURCE_RATE_PER_MS = 20; // 20000 records/s available, ten times the processing rate
    private static final int BATCHES = 300;
    private static final int STREAM = 0;

    /** One simulated run; every figure is per batch, in batch order. */
    private record Run(List<Long> ingested, List<Long> schedulingDelays, List<Long> backlogAtBatchTime) {
        double meanIngestedOver(int fromBatch, int toBatch) {
            return ingested.subList(fromBatch, toBatch).stream().mapToLong(Long::longValue).average().orElseThrow();
        }

        long max(List<Long> values, int fromBatch) {
            return values.subList(fromBatch, values.size()).stream().mapToLong(Long::longValue).max().orElseThrow();
        }
    }

    private record Batch(long time, long records) {
    }

    private static Run simulate(SluiceConf conf) {
        var settings = ReceiverSupervisor.Settings.from(conf);
        var clock = new ManualClock();
        var limiter = new RateLimiter(clock, settings.startRate());
        long[] unallocated = {0};
        // The generator's own timer waits on a clock that never moves (it never ticks): the test cuts blocks itself
        // with runOnce, at the same instants the timer would, so that the whole run is deterministic.
        var generator = new BlockGenerator<Integer>(STREAM, new ManualClock(), Duration.ofMillis(BLOCK_MS), limiter,
                (blockTime, records) -> unallocated[0] += records.size());
        RateController controller = null;
        if (conf.get(SluiceConf.BACKPRESSURE_ENABLED)) {
            controller = new RateController("simulation", STREAM, RateEstimator.create(conf, Duration.ofMillis(BATCH_MS)),
                    rate -> limiter.setRate(settings.capped(rate)));
        }
        var queue = new ArrayDeque<Batch>();
        Batch running = null;
        long runningStart = -1;
        long runningEnd = Long.MAX_VALUE;
        long inJob = 0; // records of queued and running batches
        var ingested = new ArrayList<Long>();
        var schedulingDelays = new ArrayList<Long>();
        var backlog = new ArrayList<Long>();
        Integer record = 1;
        generator.start();
        try {
            for (long t = 1; t <= BATCHES * BATCH_MS; t++) {
                clock.setTime(t);
                if (running != null && t >= runningEnd) {
                    var info = new BatchInfo(Time.ofMillis(running.time()),
                            Map.of(STREAM, new StreamInputInfo(STREAM, running.records())), running.time(), runningStart,
                            t, Map.of());
                    schedulingDelays.add(runningStart - running.time());
                    inJob -= running.records();
                    running = null;
                    if (controller != null) {
                        controller.onBatchCompleted(new StreamingListenerEvent.BatchCompleted(info));
                    }
                }
                if (t % BLOCK_MS == 0) {
                    generator.runOnce(t);
                }
                if (t % BATCH_MS == 0) {
                    var batch = new Batch(t, unallocated[0]);
                    unallocated[0] = 0;
                    ingested.add(batch.records());
                    queue.addLast(batch);
                    inJob += batch.records();
                    backlog.add(inJob);
                }
                if (running == null && !queue.isEmpty()) {
                    running = queue.removeFirst();
                    runningStart = t;
                    runningEnd = t + JOB_OVERHEAD_MS + running.records() * 1000 / PROCESSING_RATE;
                }
                for (int i = 0; i < SOURCE_RATE_PER_MS && generator.offer(record); i++) {
                    // the source hands over what the receiver accepts; the rest stays unread
                }
            }
        } finally {
            generator.stop(false);
        }
        return new Run(ingested, schedulingDelays, backlog);
    }

    private static SluiceConf backpressure() {
        return new SluiceConf(false).set(SluiceConf.BACKPRESSURE_ENABLED, true)
                .set(SluiceConf.BACKPRESSURE_INITIAL_RATE, 3000L);
    }

    @Test
    void withBackpressureSchedulingDelayAndBacklogStayBoundedAndIngestionConvergesToTheProcessingRate() {
        Run run = simulate(backpressure());

        assertThat(run.ingested()).hasSize(BATCHES);
        assertThat(run.schedulingDelays()).hasSizeGreaterThan(BATCHES - 3);
        long perBatch = PROCESSING_RATE * BATCH_MS / 1000;
        assertThat(run.max(run.schedulingDelays(), 0)).as("even while warming up").isLessThanOrEqualTo(3 * BATCH_MS);
        // after warming up, no batch waits as long as a batch interval and no more than two batches' worth of
        // records is ever held: memory stays flat
        assertThat(run.max(run.schedulingDelays(), 50)).isLessThan(BATCH_MS);
        assertThat(run.max(run.backlogAtBatchTime(), 50)).isLessThanOrEqualTo(2 * perBatch);
        // the backlog at the end is no larger than early on
        assertThat(run.max(run.backlogAtBatchTime(), BATCHES - 100))
                .isLessThanOrEqualTo(run.max(run.backlogAtBatchTime(), 50) + perBatch / 10);
        // ingestion converges near what the job processes (the overhead of each batch costs a little)
        assertThat(run.meanIngestedOver(BATCHES - 100, BATCHES)).isBetween(0.9 * perBatch, 1.0 * perBatch);
    }

    @Test
    void withoutBackpressureTheBacklogAndSchedulingDelayKeepGrowing() {
        Run run = simulate(new SluiceConf(false));

        assertThat(run.meanIngestedOver(0, BATCHES)).as("the source is read as fast as it produces")
                .isCloseTo(SOURCE_RATE_PER_MS * BATCH_MS, org.assertj.core.api.Assertions.withinPercentage(1));
        List<Long> backlog = run.backlogAtBatchTime();
        for (int i = 50; i < BATCHES; i += 50) {
            assertThat(backlog.get(i)).as("backlog at batch %d grows", i).isGreaterThan(backlog.get(i - 50));
        }
        List<Long> delays = run.schedulingDelays();
        assertThat(delays.get(delays.size() - 1)).isGreaterThan(delays.get(delays.size() / 2))
                .isGreaterThan(10 * BATCH_MS);
    }

    @Test
    void theMaximumRateCapsBackpressure() {
        Run run = simulate(backpressure().set(SluiceConf.RECEIVER_MAX_RATE, 1000L));
        long cap = 1000 * BATCH_MS / 1000;
        assertThat(run.ingested()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(cap));
        assertThat(run.meanIngestedOver(BATCHES - 100, BATCHES)).isEqualTo(cap);
    }
}
