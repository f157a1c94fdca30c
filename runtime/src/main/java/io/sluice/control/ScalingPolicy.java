package io.sluice.control;

import io.sluice.listener.BatchInfo;
import java.time.Duration;
import java.util.List;

/**
 * The arithmetic of dynamic allocation, without state or time, so that every decision can be checked by hand.
 *
 * <p>Notation: {@code I} batch interval, {@code S} scaling interval, {@code r} scale-up ratio, {@code d} scale-down
 * ratio, {@code C} cores per executor, {@code R} receivers (each holds one core for as long as it runs, so it is
 * never compute), {@code Q} batches waiting, {@code K} backlog-drain intervals.
 *
 * <p>Processing time is assumed to scale inversely with the cores left for tasks. A batch that took {@code P} ms
 * while {@code e} executors ran is {@code W = k·P} core-ms of work, {@code k = max(1, e·C − R)}; over the batches
 * of the interval, with {@code W̄} their mean work,
 * <pre>
 *   cores  = ceil( W̄ / (r·I)  +  Q·W̄ / (K·S) )
 *   needed = ceil( (cores + R) / C )
 * </pre>
 * The first term keeps each new batch under {@code r·I}; the second processes the waiting batches within {@code K}
 * scaling intervals. (With {@code e} constant and no backlog this is {@code ceil(e·P / (r·I))} for one-core
 * executors: 2 executors at {@code P = 3·I} need {@code ceil(6 / 0.9) = 7}.) Every target lies in
 * {@code [lower, max]}, {@code lower = max(min, ceil((R + 1) / C))}: the receivers plus one task core, without
 * which no batch could complete; {@code max} wins over both.
 *
 * <p>{@link #decide}: with no completed batch, hold. Scale up when {@code needed > target}, straight to
 * {@code needed} (bounded) in one step, crediting each batch with the fewest executors it may have had, so that
 * executors that joined while it ran cannot inflate the need. Scale down only when every batch of the interval
 * took less than {@code d·I} and none is waiting, to {@code max(needed, target − step)}, crediting the most
 * executors: one step at a time and never below the need. Because a scale-down stops at the count that keeps
 * batches under {@code r·I} and {@code d < r}, a steady load does not move the count back and forth.
 */
public final class ScalingPolicy {
    /** Why a decision came out as it did; logged with every change. */
    public enum Reason {
        NO_BATCHES("no batch completed in the interval"),
        SCALE_UP("processing time or backlog above the scale-up threshold"),
        SCALE_DOWN("every batch below the scale-down threshold and none waiting"),
        HOLD("load within the thresholds");

        private final String description;

        Reason(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /** The new target, the executors the load needs ({@code -1} when unknown) and why. */
    public record Decision(int target, int needed, Reason reason) {
    }

    private final DynamicAllocationConfig config;
    private final long batchIntervalMs;
    private final int coresPerExecutor;
    private final int receivers;

    public ScalingPolicy(DynamicAllocationConfig config, Duration batchInterval, int coresPerExecutor, int receivers) {
        if (batchInterval.toMillis() <= 0) {
            throw new IllegalArgumentException("batch interval must be positive, got " + batchInterval);
        }
        if (coresPerExecutor < 1 || receivers < 0) {
            throw new IllegalArgumentException("expected cores per executor >= 1 and receivers >= 0, got "
                    + coresPerExecutor + " and " + receivers);
        }
        this.config = config;
        this.batchIntervalMs = batchInterval.toMillis();
        this.coresPerExecutor = coresPerExecutor;
        this.receivers = receivers;
    }

    /** The target before anything was measured: the configured initial count, bounded. */
    public int initialTarget() {
        return bounded(config.initialExecutors());
    }

    /** {@code n} moved into {@code [lower, max]}. */
    public int bounded(long n) {
        long floor = ceilDiv(receivers + 1L, coresPerExecutor);
        long lower = Math.min(config.maxExecutors(), Math.max(config.minExecutors(), floor));
        return (int) Math.max(lower, Math.min(config.maxExecutors(), n));
    }

    /** Task cores of {@code executors} executors once the receivers have theirs; at least 1, since batches completed. */
    long taskCores(int executors) {
        return Math.max(1, (long) executors * coresPerExecutor - receivers);
    }

    /**
     * The load of the successful batches in {@code completed}, each credited with the executor counts
     * {@code history} gives for its processing span, plus {@code waitingBatches}. A failed batch is left out: one
     * that failed early says nothing about what the work costs.
     */
    LoadEstimate estimate(List<BatchInfo> completed, int waitingBatches, ExecutorCountHistory history) {
        int n = 0;
        double workLow = 0;
        double workHigh = 0;
        long sum = 0;
        long max = 0;
        for (BatchInfo b : completed) {
            var delay = b.processingDelay();
            if (b.failed() || delay.isEmpty()) {
                continue;
            }
            long ms = Math.max(0, delay.getAsLong());
            var executors = history.during(b.processingStartTime(), b.processingEndTime());
            workLow += (double) taskCores(executors.low()) * ms;
            workHigh += (double) taskCores(executors.high()) * ms;
            n++;
            sum += ms;
            max = Math.max(max, ms);
        }
        return n == 0 ? new LoadEstimate(0, 0, 0, 0, 0, waitingBatches)
                : new LoadEstimate(n, workLow / n, workHigh / n, (double) sum / n, max, waitingBatches);
    }

    /** The executors needed for {@code meanWork} core-ms per batch with {@code waitingBatches} queued: the formula, unbounded. */
    public int needed(double meanWork, int waitingBatches) {
        double cores = meanWork / (config.scaleUpRatio() * batchIntervalMs)
                + waitingBatches * meanWork / ((double) config.backlogDrainIntervals() * config.scalingInterval().toMillis());
        // the epsilon keeps a load exactly at the threshold (2 × 900 ms on 2 cores vs 0.9 × 1000) from rounding up
        long wholeCores = (long) Math.min(Integer.MAX_VALUE, Math.ceil(cores - 1e-9));
        return (int) Math.min(Integer.MAX_VALUE, ceilDiv(wholeCores + receivers, coresPerExecutor));
    }

    /** The target after an interval that measured {@code load}, given the current {@code target}. */
    public Decision decide(int target, LoadEstimate load) {
        if (load.batches() == 0) {
            return new Decision(target, -1, Reason.NO_BATCHES);
        }
        int up = needed(load.meanWorkLow(), load.waitingBatches());
        if (bounded(up) > target) {
            return new Decision(bounded(up), up, Reason.SCALE_UP);
        }
        int down = needed(load.meanWorkHigh(), load.waitingBatches());
        boolean idle = load.maxProcessingMs() < config.scaleDownRatio() * batchIntervalMs && load.waitingBatches() == 0;
        if (idle) {
            int lowered = bounded(Math.max(down, (long) target - config.scaleDownStep()));
            if (lowered < target) {
                return new Decision(lowered, down, Reason.SCALE_DOWN);
            }
        }
        return new Decision(target, up, Reason.HOLD);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return "ScalingPolicy(batchInterval=" + batchIntervalMs + " ms, " + coresPerExecutor + " cores per executor, "
                + receivers + " receivers, " + config + ")";
    }
}
