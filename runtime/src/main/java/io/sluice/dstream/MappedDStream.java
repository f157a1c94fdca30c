package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.api.function.Function;
import io.sluice.batch.Dataset;
import io.sluice.util.Sneaky;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A stream whose every batch is its parent's batch passed through a dataset function (map, filter, reduceByKey,
 * ...). A batch the parent has no data for stays absent.
 */
public final class MappedDStream<T, R> extends DStream<R> {
    private final DStream<T> parent;
    private final Function<Dataset<T>, Dataset<R>> f;

    public MappedDStream(DStream<T> parent, String opName, Function<Dataset<T>, Dataset<R>> f, Object userFunction) {
        super(parent.context(), opName);
        this.parent = parent;
        this.f = f;
        addClosure(opName, userFunction);
    }

    /** Records further user functions of the same operation for the start-time serializability check. */
    public void addClosures(String operation, Object... functions) {
        for (Object fn : functions) {
            addClosure(operation, fn);
        }
    }

    @Override
    public Duration slideDuration() {
        return parent.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(parent);
    }

    @Override
    protected Optional<Dataset<R>> compute(Time time) {
        return parent.getOrCompute(time).map(ds -> {
            try {
                return f.call(ds);
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        });
    }
}
