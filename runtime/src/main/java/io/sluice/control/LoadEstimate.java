package io.sluice.control;

/**
 * The load seen during one scaling interval, in core-milliseconds of task work per batch: a batch that took
 * {@code P} ms on {@code k} task cores is {@code k·P} of work. The executors that ran a batch are known only as a
 * range (see {@link ExecutorCountHistory}), hence two means: one crediting each batch with the fewest executors it
 * may have had, one with the most.
 *
 * @param batches            batches completed (successfully) in the interval; 0 means nothing was measured
 * @param meanWorkLow        mean work per batch, each credited with the fewest executors (used to scale up)
 * @param meanWorkHigh       mean work per batch, each credited with the most executors (used to scale down)
 * @param meanProcessingMs   mean processing time of those batches
 * @param maxProcessingMs    the longest of them
 * @param waitingBatches     batches submitted but not started at the end of the interval (the backlog)
 */
public record LoadEstimate(int batches, double meanWorkLow, double meanWorkHigh, double meanProcessingMs,
                           long maxProcessingMs, int waitingBatches) {

    public LoadEstimate {
        if (batches < 0 || waitingBatches < 0 || meanWorkLow < 0 || meanWorkHigh < meanWorkLow
                || meanProcessingMs < 0 || maxProcessingMs < 0) {
            throw new IllegalArgumentException("inconsistent load: " + batches + " batches, work " + meanWorkLow
                    + ".." + meanWorkHigh + " core-ms, mean " + meanProcessingMs + " ms, max " + maxProcessingMs
                    + " ms, " + waitingBatches + " waiting");
        }
    }
}
