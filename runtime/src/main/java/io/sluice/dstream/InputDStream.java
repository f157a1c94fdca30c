package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.listener.StreamInputInfo;
import java.time.Duration;
import java.util.List;

/**
 * A stream that brings data into the application. Produces one dataset per batch interval; {@link #start()} and
 * {@link #stop()} bracket the context's lifetime.
 */
public abstract class InputDStream<T> extends DStream<T> {
    private final int inputId;

    protected InputDStream(StreamingContext ssc, String opName) {
        super(ssc, opName);
        this.inputId = ssc.graph().addInputStream(this);
    }

    /** The id of this input stream, unique within the context (receiver block ids and input infos use it). */
    public int inputId() {
        return inputId;
    }

    /** Called when the context starts, before the first batch. */
    public void start() {
    }

    /** Called when the context stops. */
    public void stop() {
    }

    @Override
    public Duration slideDuration() {
        return context().batchDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of();
    }

    /** Records how many records this stream contributed to batch {@code time}. */
    protected void reportInput(Time time, long numRecords) {
        context().inputInfoTracker().report(time, new StreamInputInfo(inputId, numRecords));
    }
}
