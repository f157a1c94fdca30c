package io.sluice.batch;

import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import java.io.Serializable;

/**
 * How values of one key combine: a first value becomes a combiner, further values merge into it, and combiners
 * from different map tasks merge with each other. {@code identityCreate} marks reduce-style aggregations whose
 * combiner is the value itself, which lets the shuffle writer use a single hash lookup per record.
 */
public record Aggregator<V, C>(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                               Function2<C, C, C> mergeCombiners, boolean identityCreate) implements Serializable {

    @SuppressWarnings("unchecked")
    public static <V> Aggregator<V, V> reducing(Function2<V, V, V> f) {
        return new Aggregator<>(v -> v, f, f, true);
    }
}
