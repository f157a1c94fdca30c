package io.sluice.control;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * The arithmetic of dynamic allocation, without state or time, so that every decision can be checked by hand.
 *
 * <p>Notation: {@code I} batch interval, {@code S} scaling interval, {@code r} scale-up ratio, {@code d} scale-down
 * ratio, {@code C} cores per executor, {@code R} receivers (each holds one core for as long as it runs, so it is
 * never compute), {@code e} executors that processed the measured batches, {@code P} their mean processing time,
 * {@code Q} batches waiting, {@code K} backlog-drain intervals.
 *
 * <p>Processing time is assumed to scale inversely with the cores left for tasks, {@code k = e·C − R}, so one batch
 * is {@code W = k·P} core-milliseconds of work and
 * <pre>
 *   cores  = ceil( W / (r·I)  +  Q·W / (K·S) )
 *   needed = ceil( (cores + R) / C )
 * </pre>
 * The first term keeps each new batch under {@code r·I}; the second processes the waiting batches within {@code K}
 * scaling intervals. Every target lies in {@code [lower, max]}, {@code lower = max(min, ceil((R + 1) / C))}: the
 * receivers plus one task core, below which no batch could ever complete (capped by {@code max}, which always wins).
 *
 * <p>{@link #decide}: with no completed batch, hold. Scale up when {@code needed > target}, straight to
 * {@code needed} (bounded) in one step. Scale down only when every batch of the interval took less than {@code d·I}
 * and none is waiting, to {@code max(needed, target − step)}: one step at a time and never below the need. Since
 * a scale-down never goes below the count that keeps batches under {@code r·I}, and {@code d < r}, the count does
 * not move back and forth between two values under a steady load.
 */
public final class ScalingPolicy {
    /** Why a decision came out as it did; logged with every change. */
    public enum Reason {
        NO_BATCHES("no batch completed in the interval"),
        NO_TASK_CORES("the receivers occupied every core, so the interval measured nothing"),
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

    /**
     * The executors needed for batches that took {@code meanProcessingMs} on {@code executors} executors with
     * {@code waitingBatches} queued (the class formula, unbounded); empty when the receivers left no task core, so
     * the measurement cannot be scaled.
     */
    public OptionalInt needed(int executors, double meanProcessingMs, int waitingBatches) {
        long taskCores = (long) executors * coresPerExecutor - receivers;
        if (taskCores <= 0) {
            return OptionalInt.empty();
        }
        double work = taskCores * meanProcessingMs;
        double cores = work / (config.scaleUpRatio() * batchIntervalMs)
                + waitingBatches * work / ((double) config.backlogDrainIntervals() * config.scalingInterval().toMillis());
        // the epsilon keeps a load exactly at the threshold (3 × 900 / (0.9 × 1000)) from rounding up a whole core
        long wholeCores = (long) Math.min(Integer.MAX_VALUE, Math.ceil(cores - 1e-9));
        return OptionalInt.of((int) Math.min(Integer.MAX_VALUE, ceilDiv(wholeCores + receivers, coresPerExecutor)));
    }

    /**
     * The target after an interval that measured {@code load}.
     *
     * @param target         the current target
     * @param executorsLow   the fewest executors running during the interval (at its start or end): scale-up
     *                       credits the batches to them, so executors that joined mid-interval do not inflate the
     *                       estimate and cause an overshoot
     * @param executorsHigh  the most executors running during the interval: scale-down credits the batches to
     *                       them, so it never releases capacity that the measured batches actually had
     */
    public Decision decide(int target, LoadEstimate load, int executorsLow, int executorsHigh) {
        if (load.batches() == 0) {
            return new Decision(target, -1, Reason.NO_BATCHES);
        }
        OptionalInt up = needed(executorsLow, load.meanProcessingMs(), load.waitingBatches());
        if (up.isPresent() && bounded(up.getAsInt()) > target) {
            return new Decision(bounded(up.getAsInt()), up.getAsInt(), Reason.SCALE_UP);
        }
        OptionalInt down = needed(executorsHigh, load.meanProcessingMs(), load.waitingBatches());
        if (down.isEmpty()) {
            return new Decision(target, -1, Reason.NO_TASK_CORES);
        }
        boolean idle = load.maxProcessingMs() < config.scaleDownRatio() * batchIntervalMs && load.waitingBatches() == 0;
        if (idle) {
            int lowered = bounded(Math.max(down.getAsInt(), (long) target - config.scaleDownStep()));
            if (lowered < target) {
                return new Decision(lowered, down.getAsInt(), Reason.SCALE_DOWN);
            }
        }
        return new Decision(target, down.getAsInt(), Reason.HOLD);
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
