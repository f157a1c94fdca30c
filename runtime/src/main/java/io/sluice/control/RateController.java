package io.sluice.control;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamInputInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.LongConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Backpressure for one input stream: a listener that, after each completed batch, asks the stream's
 * {@link RateEstimator} for the rate of the next batch (from the records the stream contributed, the batch's
 * processing delay and its scheduling delay) and publishes it, truncated to whole records per second, to whatever
 * limits the stream (for a receiver stream: its receiver's rate limiter, here or on an executor). The receiver caps
 * it with {@code sluice.streaming.receiver.maxRate}.
 *
 * <p>Runs on the listener bus thread: the estimator and the publisher must be quick and must not block (a slow one
 * delays other listeners, never batches). A batch whose event the bus dropped is simply not seen. Reusable for any
 * input stream that can limit its rate (the publisher decides what obeys it).
 */
public final class RateController implements StreamingListener {
    private static final Logger LOG = LogManager.getLogger(RateController.class);

    private final String appId;
    private final int streamId;
    private final RateEstimator estimator;
    private final LongConsumer publisher;
    private volatile long latestRate = -1;

    /**
     * @param publisher told each new rate, in records per second (always positive)
     */
    public RateController(String appId, int streamId, RateEstimator estimator, LongConsumer publisher) {
        this.appId = appId;
        this.streamId = streamId;
        this.estimator = estimator;
        this.publisher = publisher;
    }

    @Override
    public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
        BatchInfo info = event.batchInfo();
        OptionalLong processing = info.processingDelay();
        OptionalLong scheduling = info.schedulingDelay();
        if (processing.isEmpty() || scheduling.isEmpty()) {
            return;
        }
        StreamInputInfo input = info.streamIdToInputInfo().get(streamId);
        long elements = input == null ? 0 : input.numRecords();
        OptionalDouble estimate = estimator.compute(info.batchTime().milliseconds(), elements, processing.getAsLong(),
                scheduling.getAsLong());
        if (estimate.isEmpty()) {
            return;
        }
        long rate = (long) estimate.getAsDouble();
        if (rate <= 0) {
            LOG.debug("[{}] Stream {}: ignoring estimate {} after batch {}", appId, streamId, estimate.getAsDouble(),
                    info.batchTime());
            return;
        }
        latestRate = rate;
        LOG.debug("[{}] Stream {}: next rate {} records/s after batch {} ({} records, processing {} ms, scheduling {} ms)",
                appId, streamId, rate, info.batchTime(), elements, processing.getAsLong(), scheduling.getAsLong());
        publisher.accept(rate);
    }

    /** The latest rate published, in records per second; -1 before the first estimate. */
    public long getLatestRate() {
        return latestRate;
    }

    public int streamId() {
        return streamId;
    }

    public RateEstimator estimator() {
        return estimator;
    }

    @Override
    public String toString() {
        return "RateController[stream " + streamId + ", " + estimator + ", latest rate " + latestRate + "]";
    }
}
