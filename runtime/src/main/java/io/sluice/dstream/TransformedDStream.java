package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.api.function.Function2;
import io.sluice.batch.Dataset;
import io.sluice.util.Sneaky;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies a driver-side function to the same batch of one or more parents (transform, transformWith, joins).
 * Every parent must produce data for the batch, and the function must not return null.
 */
public final class TransformedDStream<R> extends DStream<R> {
    private final List<DStream<?>> parents;
    private final Function2<List<Dataset<?>>, Time, Dataset<R>> f;

    public TransformedDStream(List<DStream<?>> parents, String opName, Function2<List<Dataset<?>>, Time, Dataset<R>> f,
                              Object userFunction) {
        super(parents.get(0).context(), opName);
        for (DStream<?> p : parents) {
            if (p.context() != parents.get(0).context()) {
                throw new IllegalArgumentException("All DStreams of " + opName + " must belong to the same StreamingContext");
            }
        }
        this.parents = List.copyOf(parents);
        // the function runs on the driver at batch generation: it need not be serializable
        this.f = f;
    }

    @Override
    public Duration slideDuration() {
        return parents.get(0).slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return parents;
    }

    @Override
    public void validateAtStart() {
        Duration slide = slideDuration();
        for (DStream<?> p : parents) {
            if (!p.slideDuration().equals(slide)) {
                throw new IllegalArgumentException("Some of the DStreams of " + opName() + " have different slide durations ("
                        + p.slideDuration().toMillis() + " ms and " + slide.toMillis() + " ms)");
            }
        }
        super.validateAtStart();
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        var inputs = new ArrayList<Dataset<?>>(parents.size());
        for (DStream<?> p : parents) {
            inputs.add(p.getOrCompute(time).orElseThrow(() -> new IllegalStateException(
                    "Couldn't generate dataset from parent " + p + " at time " + time + " for " + opName())));
        }
        Dataset<R> result;
        try {
            result = f.call(inputs, time);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (result == null) {
            throw new IllegalStateException("The " + opName() + " function returned null at time " + time
                    + "; return an empty dataset instead (context().emptyDataset())");
        }
        return Optional.of(result);
    }
}
