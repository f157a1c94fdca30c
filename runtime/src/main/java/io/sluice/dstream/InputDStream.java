package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.checkpoint.SourcePosition;
import io.sluice.listener.StreamInputInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

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

    /**
     * The position this input saves in metadata checkpoints, if it can give a restarted driver each batch's input again
     * by itself (receivers' input comes back through the write-ahead logs instead).
     */
    public Optional<SourcePosition> position() {
        return Optional.empty();
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

    /**
     * Forgets batches older than the remember duration, but never one a stateful operator may still replay: the batches
     * since its newest saved state rebuild it when an executor holding it is lost or the driver restarts, so their
     * input (and received blocks) stays while a save runs late (see {@link io.sluice.scheduler.DStreamGraph#replayHorizon}).
     */
    @Override
    public void clearMetadata(Time time) {
        Time cleared = time;
        var horizon = context().graph().replayHorizon(time);
        if (horizon.isPresent()) {
            Time keepFrom = horizon.get().plus(rememberDuration());
            if (keepFrom.isBefore(cleared)) {
                cleared = keepFrom;
            }
        }
        super.clearMetadata(cleared);
    }

    /** Records how many records this stream contributed to batch {@code time}. */
    protected void reportInput(Time time, long numRecords) {
        context().inputInfoTracker().report(time, new StreamInputInfo(inputId, numRecords));
    }
}
