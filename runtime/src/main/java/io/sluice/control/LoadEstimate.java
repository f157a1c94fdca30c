package io.sluice.control;

import io.sluice.listener.BatchInfo;
import java.util.List;

/**
 * The load seen during one scaling interval.
 *
 * @param batches            batches completed (successfully) in the interval; 0 means nothing was measured
 * @param meanProcessingMs   mean processing time of those batches
 * @param maxProcessingMs    the longest of them
 * @param waitingBatches     batches submitted but not started at the end of the interval (the backlog)
 */
public record LoadEstimate(int batches, double meanProcessingMs, long maxProcessingMs, int waitingBatches) {

    public LoadEstimate {
        if (batches < 0 || waitingBatches < 0 || meanProcessingMs < 0 || maxProcessingMs < 0) {
            throw new IllegalArgumentException("negative load: " + batches + " batches, mean " + meanProcessingMs
                    + " ms, max " + maxProcessingMs + " ms, " + waitingBatches + " waiting");
        }
    }

    /**
     * The estimate from the batches completed in an interval. Failed batches are left out: a batch that failed early
     * says nothing about how long the work takes.
     */
    public static LoadEstimate of(List<BatchInfo> completed, int waitingBatches) {
        int n = 0;
        long sum = 0;
        long max = 0;
        for (BatchInfo b : completed) {
            var delay = b.processingDelay();
            if (b.failed() || delay.isEmpty()) {
                continue;
            }
            long ms = Math.max(0, delay.getAsLong());
            n++;
            sum += ms;
            max = Math.max(max, ms);
        }
        return new LoadEstimate(n, n == 0 ? 0 : (double) sum / n, max, waitingBatches);
    }
}
