package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The same batch of several streams side by side; every parent must produce data for the batch. */
public final class UnionDStream<T> extends DStream<T> {
    private final List<DStream<T>> parents;

    public UnionDStream(List<DStream<T>> parents) {
        super(requireNonEmpty(parents).get(0).context(), "union");
        this.parents = List.copyOf(parents);
    }

    private static <T> List<DStream<T>> requireNonEmpty(List<DStream<T>> parents) {
        if (parents.isEmpty()) {
            throw new IllegalArgumentException("Empty list of DStreams to union");
        }
        return parents;
    }

    @Override
    public Duration slideDuration() {
        return parents.get(0).slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return new ArrayList<>(parents);
    }

    @Override
    public void validateAtStart() {
        for (DStream<T> p : parents) {
            if (p.context() != context()) {
                throw new IllegalArgumentException("Some of the DStreams have different contexts");
            }
            if (!p.slideDuration().equals(slideDuration())) {
                throw new IllegalArgumentException("Some of the DStreams have different slide durations");
            }
        }
        super.validateAtStart();
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        var datasets = new ArrayList<Dataset<T>>(parents.size());
        for (DStream<T> p : parents) {
            datasets.add(p.getOrCompute(time).orElseThrow(() -> new IllegalStateException(
                    "Could not generate dataset from a parent for unifying at time " + time)));
        }
        return Optional.of(context().context().union(datasets));
    }
}
