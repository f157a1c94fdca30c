package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.util.Sneaky;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The reduce side of a shuffle: reads every map task's bucket for its partition and merges them. */
final class ShuffledDataset<K, V, C> extends Dataset<Pair<K, C>> {
    private final ShuffleDependency<K, V, C> dep;

    ShuffledDataset(ShuffleDependency<K, V, C> dep, String opName) {
        super(dep.parent().context(), opName);
        this.dep = dep;
    }

    ShuffleDependency<K, V, C> shuffleDependency() {
        return dep;
    }

    @Override
    public int numPartitions() {
        return dep.partitioner().numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of(dep);
    }

    @Override
    public Partitioner partitioner() {
        return dep.partitioner();
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void compute(int partition, TaskContext ctx, Consumer<? super Pair<K, C>> out) {
        List<Object> buckets = context().shuffleStore().bucketsFor(dep.shuffleId(), partition);
        Aggregator<V, C> agg = dep.aggregator();
        Map<K, C> combined;
        try {
            if (agg == null) {
                if (dep.keyOrdering() == null) {
                    for (Object b : buckets) {
                        for (Pair<K, V> p : (List<Pair<K, V>>) b) {
                            out.accept((Pair<K, C>) (Pair<K, ?>) p);
                        }
                    }
                    return;
                }
                var all = new ArrayList<Pair<K, V>>();
                for (Object b : buckets) {
                    all.addAll((List<Pair<K, V>>) b);
                }
                all.sort((a, b) -> dep.keyOrdering().compare(a.key(), b.key()));
                for (Pair<K, V> p : all) {
                    out.accept((Pair<K, C>) (Pair<K, ?>) p);
                }
                return;
            }
            if (dep.mapSideCombine()) {
                combined = mergeCombiners(buckets, agg);
            } else {
                combined = new HashMap<>();
                for (Object b : buckets) {
                    for (Pair<K, V> p : (List<Pair<K, V>>) b) {
                        C c = combined.get(p.key());
                        if (c == null && !combined.containsKey(p.key())) {
                            combined.put(p.key(), agg.createCombiner().call(p.value()));
                        } else {
                            combined.put(p.key(), agg.mergeValue().call(c, p.value()));
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (dep.keyOrdering() != null) {
            var entries = new ArrayList<>(combined.entrySet());
            entries.sort((a, b) -> dep.keyOrdering().compare(a.getKey(), b.getKey()));
            for (var e : entries) {
                out.accept(new Pair<>(e.getKey(), e.getValue()));
            }
        } else {
            for (var e : combined.entrySet()) {
                out.accept(new Pair<>(e.getKey(), e.getValue()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Map<K, C> mergeCombiners(List<Object> buckets, Aggregator<V, C> agg) throws Exception {
        // start from a copy of the largest bucket: map outputs are read again if this partition is recomputed
        int largest = 0;
        for (int i = 1; i < buckets.size(); i++) {
            if (((Map<K, C>) buckets.get(i)).size() > ((Map<K, C>) buckets.get(largest)).size()) {
                largest = i;
            }
        }
        if (buckets.isEmpty()) {
            return new HashMap<>();
        }
        var result = new HashMap<K, C>((Map<K, C>) buckets.get(largest));
        var f = agg.mergeCombiners();
        java.util.function.BiFunction<C, C, C> merge = (a, b) -> {
            try {
                return f.call(a, b);
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        };
        for (int i = 0; i < buckets.size(); i++) {
            if (i == largest) {
                continue;
            }
            for (var e : ((Map<K, C>) buckets.get(i)).entrySet()) {
                result.merge(e.getKey(), e.getValue(), merge);
            }
        }
        return result;
    }
}
