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
 *
 * <p>A restarted driver catching up on the batches it had not completed and those of the time it was down generates
 * them (and those that fall due meanwhile, until it has caught up with the clock) only while fewer than
 * {@code sluice.streaming.recovery.maxQueuedBatches} generated batches wait to complete, so that completions (and the
 * checkpoints taken after them) are never queued behind the whole backlog: a driver that fails again during catch-up
 * continues from there, not from where the first one stopped.
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
    /** Batches generated (or about to be) and not completed yet; guarded by itself. */
    private final java.util.Set<Time> inFlight = new java.util.HashSet<>();
    private volatile int maxQueuedCatchUp = Integer.MAX_VALUE;
    /** From a restart with batches already due until the generator has caught up with the clock. */
    private volatile boolean catchingUp;
    private volatile Consumer<Time> afterGenerated = t -> { };
    private volatile Consumer<Time> onZeroTime = t -> { };
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
        scheduler.setOnBatchCompleted(t -> {
            done(t);
            post(() -> {
                graph.clearMetadata(t);
                afterBatchCompleted.accept(t);
            });
        });
    }

    /**
     * Called on the generator's thread after a batch's jobs were generated and before they are submitted; it may wait
     * (e.g. until the batch's input positions are durable). If it throws, the batch does not run and the error is
     * reported.
     */
    public void setAfterGenerated(Consumer<Time> hook) {
        this.afterGenerated = hook;
    }

    /** Called by {@link #start()} with a new run's zero time, before the first batch; if it throws, start fails. */
    public void setOnZeroTime(Consumer<Time> hook) {
        this.onZeroTime = hook;
    }

    /** At most this many batches generated behind the clock wait to complete at once (see the class comment). */
    public void setMaxQueuedCatchUpBatches(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("At least one batch must be allowed to wait, got " + max);
        }
        this.maxQueuedCatchUp = max;
    }

    private void done(Time t) {
        synchronized (inFlight) {
            inFlight.remove(t);
            inFlight.notifyAll();
        }
    }

    /** Waits up to 200 ms for the number of batches waiting to complete to drop below the catch-up bound. */
    private boolean catchUpSlotFree() {
        synchronized (inFlight) {
            if (inFlight.size() < maxQueuedCatchUp) {
                return true;
            }
            try {
                inFlight.wait(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return inFlight.size() < maxQueuedCatchUp;
        }
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
        long rerun = Math.max(0, (lastDue - from) / batchMs + 1);
        // the timer generates the batches already due as earlier ones complete (at most maxQueuedCatchUp waiting)
        nextBatchTime = from;
        catchingUp = rerun > 0;
        timer.start();
        LOG.info("[{}] Restarted from the checkpoint of batch {} (zero time {}): {} batch(es) from {} run again or for "
                + "the first time (at most {} queued at once), then every {} ms", appId, lastCompleted, zero, rerun,
                new Time(from), maxQueuedCatchUp == Integer.MAX_VALUE ? "all" : maxQueuedCatchUp, batchMs);
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
        onZeroTime.accept(zero);
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
            if (now < target) {
                continue;
            }
            if (catchingUp) {
                if (now - target < batchMs) {
                    catchingUp = false; // caught up: from now on batches are generated on time, as always
                    LOG.info("[{}] Caught up with the clock at batch {}", appId, new Time(target));
                } else if (!catchUpSlotFree()) {
                    continue; // wait for earlier batches to complete
                }
            }
            Time t = new Time(target);
            synchronized (inFlight) {
                inFlight.add(t);
            }
            post(() -> generateJobs(t));
            nextBatchTime = target + batchMs;
        }
    }

    /** Unit of work for one batch time; exposed for tests that drive generation without the timer. */
    void generateJobs(Time time) {
        try {
            beforeBatch.accept(time);
            List<Job> jobs = graph.generateJobs(time);
            lastGenerated = time;
            afterGenerated.accept(time);
            scheduler.submit(new JobSet(time, jobs, inputInfos.take(time), clock.currentTimeMillis()));
        } catch (Throwable t) {
            done(time);
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
