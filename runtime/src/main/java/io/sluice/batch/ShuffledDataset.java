package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.util.Sneaky;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
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
        Iterator<Object> buckets = ctx.env().shuffleReader().buckets(dep.shuffleId(), partition);
        Aggregator<V, C> agg = dep.aggregator();
        Map<K, C> combined;
        try {
            if (agg == null) {
                if (dep.keyOrdering() == null) {
                    while (buckets.hasNext()) {
                        for (Pair<K, V> p : (List<Pair<K, V>>) buckets.next()) {
                            out.accept((Pair<K, C>) (Pair<K, ?>) p);
                        }
                    }
                    return;
                }
                var all = new ArrayList<Pair<K, V>>();
                while (buckets.hasNext()) {
                    all.addAll((List<Pair<K, V>>) buckets.next());
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
                var buffer = new CombineBuffer<K, V, C>(agg);
                while (buckets.hasNext()) {
                    for (Pair<K, V> p : (List<Pair<K, V>>) buckets.next()) {
                        buffer.add(p.key(), p.value());
                    }
                }
                combined = buffer.result();
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

    /**
     * Merges the map tasks' combiners of this partition. Map outputs are read again whenever this partition is
     * recomputed, so {@code mergeCombiners} (which may modify its first argument) is given a copy of a combiner
     * taken from them.
     */
    @SuppressWarnings("unchecked")
    private Map<K, C> mergeCombiners(Iterator<Object> buckets, Aggregator<V, C> agg) {
        if (!buckets.hasNext()) {
            return new HashMap<>();
        }
        // sized from the first bucket: hash-partitioned buckets of one reducer are of similar sizes
        var result = new HashMap<K, C>((Map<K, C>) buckets.next());
        java.util.function.BiFunction<C, C, C> merge = Copies.mergingIntoCopies(agg.mergeCombiners());
        while (buckets.hasNext()) {
            for (var e : ((Map<K, C>) buckets.next()).entrySet()) {
                result.merge(e.getKey(), e.getValue(), merge);
            }
        }
        return result;
    }
}
