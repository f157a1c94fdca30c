package io.sluice.control;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.listener.StreamingListenerEvent.BatchStarted;
import io.sluice.listener.StreamingListenerEvent.BatchSubmitted;
import java.time.Duration;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Dynamic allocation for a streaming application: once per scaling interval it measures the batches completed
 * since the last decision and sets the executor target with {@link ScalingPolicy} (the formula is there): up to
 * the computed need in one step when batches are too slow or queue up, down one step per interval when every
 * batch was well under the batch interval, always within {@code [minExecutors, maxExecutors]}. It asks the client
 * only when the target changes. A scale-up does not wait for the end of the interval: every {@link #runOnce} between
 * decisions looks at the last two completed batches and, once every executor asked for is running, scales up as
 * soon as both show the need (and starts a new interval), so that executors are asked for two batches after a load
 * step, not up to a whole interval later.
 *
 * <p>It only ever says how many executors; which ones go is the {@link ExecutorAllocationClient}'s choice, and the
 * controller relies on it never releasing an executor that hosts a receiver or the only copy of a block
 * ({@code ExecutorAllocator}'s {@code releasable} predicate). When such executors cannot go, the cluster stays
 * above the target until they can.
 *
 * <p>Threading: the listener methods run on the listener bus thread and only record events; {@link #start} and
 * {@link #runOnce} must run on the thread that owns the client (the allocator's main thread). Time is passed in:
 * the driver calls {@code runOnce(clock.currentTimeMillis())} on a timer, best every batch interval (decisions
 * still come once per scaling interval; the extra calls date executor-count changes more precisely), and tests step
 * a manual clock. Register the controller on the listener bus before the first batch is submitted so that it sees
 * the whole backlog.
 */
public final class ExecutorAllocationController implements StreamingListener {
    private static final Logger LOG = LogManager.getLogger(ExecutorAllocationController.class);

    private final DynamicAllocationConfig config;
    private final ScalingPolicy policy;
    private final ExecutorAllocationClient client;
    private final BatchLoadTracker tracker = new BatchLoadTracker();
    private final ExecutorCountHistory history = new ExecutorCountHistory();
    private final Duration batchInterval;

    private boolean started;
    private volatile int target; // read by the UI and tests from other threads
    private long lastDecisionMs;
    private long nextDecisionMs;

    /**
     * @param batchInterval    the streaming context's batch interval
     * @param coresPerExecutor cores of each executor ({@code ExecutorSpec.cores()})
     * @param receivers        receiver input streams; each occupies one core of some executor while it runs
     */
    public ExecutorAllocationController(DynamicAllocationConfig config, Duration batchInterval, int coresPerExecutor,
                                        int receivers, ExecutorAllocationClient client) {
        this.config = config;
        this.batchInterval = batchInterval;
        this.policy = new ScalingPolicy(config, batchInterval, coresPerExecutor, receivers);
        this.client = client;
    }

    /** Asks for the initial target; the first decision follows one scaling interval later. Does nothing if disabled. */
    public void start(long nowMs) {
        if (!config.enabled()) {
            LOG.info("Dynamic allocation is disabled; the executor count stays as configured");
            return;
        }
        started = true;
        target = policy.initialTarget();
        lastDecisionMs = nowMs;
        nextDecisionMs = nowMs + config.scalingInterval().toMillis();
        LOG.info("Dynamic allocation started: {} executors initially, {}", target, policy);
        history.record(nowMs, client.runningExecutors());
        client.requestTotalExecutors(target);
        history.record(nowMs, client.runningExecutors());
    }

    /**
     * Reads the executor count and, once a scaling interval has passed since the last decision, decides; asks the
     * client for the new total only if it differs from the current target. It may be called more often than the
     * scaling interval (every batch interval, say): the extra calls only read the executor count, which tells more
     * precisely which executors ran each batch.
     */
    public void runOnce(long nowMs) {
        if (!started) {
            return;
        }
        history.record(nowMs, client.runningExecutors());
        if (nowMs < nextDecisionMs) {
            scaleUpEarly(nowMs);
            return;
        }
        decide(nowMs, policy.estimate(tracker.drainCompleted(), tracker.waiting(), history));
    }

    /**
     * Between decisions, scales up as soon as the last batches show the need: waiting for the end of the interval
     * would add up to a whole interval to the time the load waits for executors, and the interval's mean mixes the
     * batches before a load step with those after it. It acts when each of the last
     * {@value BatchLoadTracker#RECENT} completed batches alone calls for more executors (one slow batch, a GC pause
     * say, is not enough), asking for the need of the two together, and only once every executor asked for is
     * running (so a scale-up still starting JVMs is never repeated on the same evidence). It never scales down; a
     * scale-up starts a new interval.
     */
    private void scaleUpEarly(long nowMs) {
        var recent = tracker.recent();
        if (client.runningExecutors() < target || recent.size() < BatchLoadTracker.RECENT) {
            return;
        }
        int waiting = tracker.waiting();
        for (BatchInfo b : recent) {
            var alone = policy.decide(target, policy.estimate(List.of(b), waiting, history));
            if (alone.reason() != ScalingPolicy.Reason.SCALE_UP) {
                return;
            }
        }
        var load = policy.estimate(recent, waiting, history);
        if (policy.decide(target, load).reason() == ScalingPolicy.Reason.SCALE_UP) {
            tracker.drainCompleted(); // measured by the scale-up; the next interval starts afresh
            decide(nowMs, load);
        }
    }

    private void decide(long nowMs, LoadEstimate load) {
        long sinceLast = nowMs - lastDecisionMs;
        lastDecisionMs = nowMs;
        nextDecisionMs = nowMs + config.scalingInterval().toMillis();
        // no batch measured later can need a reading older than the start of the earliest one running or recent
        history.forgetBefore(tracker.earliestNeededStart(nowMs));
        var decision = policy.decide(target, load);
        if (decision.target() == target) {
            LOG.debug("Executor target stays {} ({}): {} batches, mean processing {} ms, max {} ms, {} waiting, "
                            + "needed {}", target, decision.reason().description(), load.batches(),
                    Math.round(load.meanProcessingMs()), load.maxProcessingMs(), load.waitingBatches(),
                    decision.needed());
            return;
        }
        LOG.info("Executor target {} -> {} ({}; the load needs {}{}): {} batches in the last {} ms, mean processing "
                        + "{} ms, max {} ms, against a batch interval of {} ms; {} batches waiting; {} executors running",
                target, decision.target(), decision.reason().description(), decision.needed(),
                decision.needed() > config.maxExecutors() ? ", capped by maxExecutors" : "",
                load.batches(), sinceLast, Math.round(load.meanProcessingMs()), load.maxProcessingMs(),
                batchInterval.toMillis(), load.waitingBatches(), client.runningExecutors());
        target = decision.target();
        client.requestTotalExecutors(target);
        // read again: a release takes effect at once, while launched executors count only once they register
        history.record(nowMs, client.runningExecutors());
    }

    /** The executor count last asked for; 0 before {@link #start} or when disabled. */
    public int target() {
        return target;
    }

    @Override
    public void onBatchSubmitted(BatchSubmitted event) {
        if (config.enabled()) {
            tracker.submitted(event.batchInfo());
        }
    }

    @Override
    public void onBatchStarted(BatchStarted event) {
        if (config.enabled()) {
            tracker.started(event.batchInfo());
        }
    }

    @Override
    public void onBatchCompleted(BatchCompleted event) {
        if (config.enabled()) {
            tracker.completed(event.batchInfo());
        }
    }
}
