package io.sluice.batch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

/**
 * Combines values by key with an {@link Aggregator} into a map. A combiner that is still one of the input's own
 * value objects (createCombiner returned its argument) is copied before mergeValue may change it, because inputs
 * are cached blocks or shuffle outputs that are read again when a partition is recomputed.
 */
final class CombineBuffer<K, V, C> {
    private final Aggregator<V, C> agg;
    private final HashMap<K, C> combined = new HashMap<>();
    private final HashSet<K> borrowed = new HashSet<>();

    CombineBuffer(Aggregator<V, C> agg) {
        this.agg = agg;
    }

    void add(K key, V value) throws Exception {
        C c = combined.get(key);
        if (c == null && !combined.containsKey(key)) {
            C created = agg.createCombiner().call(value);
            if (created == (Object) value && !Copies.isImmutable(created)) {
                borrowed.add(key);
            }
            combined.put(key, created);
        } else {
            if (borrowed.remove(key)) {
                c = Copies.copy(c);
            }
            combined.put(key, agg.mergeValue().call(c, value));
        }
    }

    Map<K, C> result() {
        return combined;
    }
}
