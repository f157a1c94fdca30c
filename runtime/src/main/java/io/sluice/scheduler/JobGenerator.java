package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.dstream.Job;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Generates one batch per batch interval from the clock: at each batch time the inputs are cut (hook), the graph
 * produces that batch's jobs, and the job set goes to the {@link JobScheduler}. Generation and clean-up of old
 * batches run on one event thread, so the graph's per-batch state has a single writer.
 */
public final class JobGenerator {
    private static final Logger LOG = LogManager.getLogger(JobGenerator.class);

    private final DStreamGraph graph;
    private final Clock clock;
    private final JobScheduler scheduler;
    private final InputInfoTracker inputInfos;
    private final String appId;
    private final Consumer<Time> beforeBatch;
    private final BiConsumer<String, Throwable> errorReporter;
    private final ExecutorService events =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-job-generator", true));
    private final Thread timer;
    private final long batchMs;
    private volatile boolean stopped;
    private volatile long nextBatchTime;
    private volatile long stopAfter = Long.MAX_VALUE;
    private volatile Time lastGenerated;

    public JobGenerator(DStreamGraph graph, Clock clock, JobScheduler scheduler, InputInfoTracker inputInfos,
                        String appId, Consumer<Time> beforeBatch, BiConsumer<String, Throwable> errorReporter) {
        this.graph = graph;
        this.clock = clock;
        this.scheduler = scheduler;
        this.inputInfos = inputInfos;
        this.appId = appId;
        this.beforeBatch = beforeBatch;
        this.errorReporter = errorReporter;
        this.batchMs = graph.batchDuration().toMillis();
        this.timer = new Thread(this::runTimer, "sluice-batch-timer");
        timer.setDaemon(true);
        scheduler.setOnBatchCompleted(t -> post(() -> {
            graph.clearMetadata(t);
            afterBatchCompleted.accept(t);
        }));
    }

    private volatile Consumer<Time> afterBatchCompleted = t -> { };

    /** Called on the generator's thread after each completed batch's clean-up (where checkpoints are taken). */
    public void setAfterBatchCompleted(Consumer<Time> hook) {
        this.afterBatchCompleted = hook;
    }

    /**
     * Starts again where a previous driver stopped: the zero time it had, then every batch after its last completed
     * one up to now — those it had not completed, and those that fell in the time it was down — and then on the
     * clock as usual. Returns the zero time.
     */
    public Time restart(Time zero, Time lastCompleted) {
        graph.start(zero);
        long now = clock.currentTimeMillis();
        long lastDue = zero.milliseconds() + Math.floorDiv(now - zero.milliseconds(), batchMs) * batchMs;
        long from = lastCompleted.milliseconds() + batchMs;
        int rerun = 0;
        for (long t = from; t <= lastDue; t += batchMs) {
            Time time = new Time(t);
            post(() -> generateJobs(time));
            rerun++;
        }
        nextBatchTime = Math.max(from, lastDue + batchMs);
        timer.start();
        LOG.info("[{}] Restarted from the checkpoint of batch {} (zero time {}): {} batch(es) from {} run again or for "
                + "the first time, then every {} ms", appId, lastCompleted, zero, rerun, new Time(from), batchMs);
        return zero;
    }

    /**
     * Starts at the next multiple of the batch interval: batch k then has time zero + k × interval.
     * Returns the zero time.
     */
    public Time start() {
        long now = clock.currentTimeMillis();
        long first = (Math.floorDiv(now, batchMs) + 1) * batchMs;
        Time zero = new Time(first - batchMs);
        graph.start(zero);
        nextBatchTime = first;
        timer.start();
        LOG.info("[{}] Started generating batches every {} ms from {}", appId, batchMs, new Time(first));
        return zero;
    }

    private void runTimer() {
        while (!stopped) {
            long target = nextBatchTime;
            if (target > stopAfter) {
                return;
            }
            long now = clock.waitTillTime(target, 200);
            if (stopped || Thread.currentThread().isInterrupted()) {
                return;
            }
            if (now >= target) {
                Time t = new Time(target);
                post(() -> generateJobs(t));
                nextBatchTime = target + batchMs;
            }
        }
    }

    /** Unit of work for one batch time; exposed for tests that drive generation without the timer. */
    void generateJobs(Time time) {
        try {
            beforeBatch.accept(time);
            List<Job> jobs = graph.generateJobs(time);
            lastGenerated = time;
            scheduler.submit(new JobSet(time, jobs, inputInfos.take(time), clock.currentTimeMillis()));
        } catch (Throwable t) {
            LOG.error("[{}] Error generating jobs for time {}", appId, time, t);
            errorReporter.accept("Error generating jobs for time " + time, t);
        }
    }

    private void post(Runnable r) {
        if (!events.isShutdown()) {
            try {
                events.execute(r);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("[{}] Generator stopped; dropping event", appId);
            }
        }
    }

    public Time lastGeneratedTime() {
        return lastGenerated;
    }

    /**
     * Generates one more batch (the one after the current time, so that everything received so far is included)
     * and then stops the timer. Returns the time of that last batch.
     */
    public Time stopAfterNextBatch() {
        long now = clock.currentTimeMillis();
        long last = (Math.floorDiv(now, batchMs) + 1) * batchMs;
        stopAfter = Math.max(last, nextBatchTime - batchMs);
        return new Time(stopAfter);
    }

    /** Stops the timer and the event thread; pending events are dropped unless {@code graceful}. */
    public void stop(boolean graceful) {
        stopped = true;
        timer.interrupt();
        try {
            timer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (graceful) {
            events.shutdown();
        } else {
            events.shutdownNow();
        }
        try {
            if (!events.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("[{}] Job generator did not stop within 10 s", appId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Duration batchDuration() {
        return Duration.ofMillis(batchMs);
    }
}
