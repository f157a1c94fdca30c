package io.sluice.control;

import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.listener.StreamingListenerEvent.BatchStarted;
import io.sluice.listener.StreamingListenerEvent.BatchSubmitted;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Dynamic allocation for a streaming application: once per scaling interval it measures the batches completed
 * since the last decision and sets the executor target with {@link ScalingPolicy} (the formula is there): up to
 * the computed need in one step when batches are too slow or queue up, down one step per interval when every
 * batch was well under the batch interval, always within {@code [minExecutors, maxExecutors]}.
 *
 * <p>It only ever says how many executors; which ones go is the {@link ExecutorAllocationClient}'s choice, and
 * the controller relies on it never releasing an executor that hosts a receiver or the only copy of a block
 * ({@code ExecutorAllocator}'s {@code releasable} predicate). When such executors cannot go, the cluster simply
 * stays above the target until they can.
 *
 * <p>Threading: the listener methods run on the listener bus thread and only record events; {@link #start} and
 * {@link #runOnce} must run on the thread that owns the client (the allocator's main thread). Time is passed in:
 * the driver calls {@code runOnce(clock.currentTimeMillis())} on a timer, tests step a manual clock. Register the
 * controller on the listener bus before the first batch is submitted so that it sees the whole backlog.
 */
public final class ExecutorAllocationController implements StreamingListener {
    private static final Logger LOG = LogManager.getLogger(ExecutorAllocationController.class);

    private final DynamicAllocationConfig config;
    private final ScalingPolicy policy;
    private final ExecutorAllocationClient client;
    private final BatchLoadTracker tracker = new BatchLoadTracker();
    private final Duration batchInterval;

    private boolean started;
    private int target;
    private int executorsAtLastDecision;
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
        executorsAtLastDecision = client.runningExecutors();
        lastDecisionMs = nowMs;
        nextDecisionMs = nowMs + config.scalingInterval().toMillis();
        LOG.info("Dynamic allocation started: {} executors initially, {}", target, policy);
        client.requestTotalExecutors(target);
    }

    /**
     * Decides if a scaling interval has passed since the last decision, and asks the client for the new total only
     * if it differs from the current target. Calling it more often is harmless: earlier calls do nothing.
     */
    public void runOnce(long nowMs) {
        if (!started || nowMs < nextDecisionMs) {
            return;
        }
        long sinceLast = nowMs - lastDecisionMs;
        lastDecisionMs = nowMs;
        nextDecisionMs = nowMs + config.scalingInterval().toMillis();
        LoadEstimate load = tracker.drain();
        int executorsNow = client.runningExecutors();
        // the count may have changed anywhere in the interval; ScalingPolicy.decide says which end each way uses
        var decision = policy.decide(target, load,
                Math.min(executorsAtLastDecision, executorsNow), Math.max(executorsAtLastDecision, executorsNow));
        executorsAtLastDecision = executorsNow;
        if (decision.target() == target) {
            LOG.debug("Executor target stays {} ({}): {} batches, mean processing {} ms, max {} ms, {} waiting, "
                            + "{} executors running, needed {}", target, decision.reason().description(),
                    load.batches(), Math.round(load.meanProcessingMs()), load.maxProcessingMs(),
                    load.waitingBatches(), executorsNow, decision.needed());
            return;
        }
        LOG.info("Executor target {} -> {} ({}; the load needs {}{}): {} batches in the last {} ms, mean processing "
                        + "{} ms, max {} ms, against a batch interval of {} ms; {} batches waiting; {} executors running",
                target, decision.target(), decision.reason().description(), decision.needed(),
                decision.needed() > config.maxExecutors() ? ", capped by maxExecutors" : "",
                load.batches(), sinceLast, Math.round(load.meanProcessingMs()),
                load.maxProcessingMs(), batchInterval.toMillis(), load.waitingBatches(), executorsNow);
        target = decision.target();
        client.requestTotalExecutors(target);
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
