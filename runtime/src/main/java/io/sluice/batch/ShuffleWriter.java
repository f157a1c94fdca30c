package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.util.Sneaky;
import java.util.ArrayList;
import java.util.HashMap;

/** Runs one map task of a shuffle: partitions (and, with an aggregator, combines) one parent partition. */
final class ShuffleWriter {
    private ShuffleWriter() {
    }

    static <K, V, C> Object[] write(ShuffleDependency<K, V, C> dep, int mapPartition, TaskContext ctx) {
        Partitioner partitioner = dep.partitioner();
        int n = partitioner.numPartitions();
        Object[] buckets = new Object[n];
        if (dep.mapSideCombine()) {
            @SuppressWarnings("unchecked")
            HashMap<K, C>[] maps = new HashMap[n];
            for (int i = 0; i < n; i++) {
                maps[i] = new HashMap<>();
            }
            Aggregator<V, C> agg = dep.aggregator();
            if (agg.identityCreate()) {
                // reduce-style: the combiner is the value, so HashMap.merge does one lookup per record
                @SuppressWarnings("unchecked")
                Function2<V, V, V> f = (Function2<V, V, V>) (Function2<?, ?, ?>) agg.mergeValue();
                java.util.function.BiFunction<V, V, V> merge = (a, b) -> {
                    try {
                        return f.call(a, b);
                    } catch (Exception e) {
                        throw Sneaky.rethrow(e);
                    }
                };
                dep.parent().iterate(mapPartition, ctx, pair -> {
                    K k = pair.key();
                    @SuppressWarnings("unchecked")
                    HashMap<K, V> m = (HashMap<K, V>) (HashMap<K, ?>) maps[n == 1 ? 0 : partitioner.partition(k)];
                    m.merge(k, pair.value(), merge);
                });
            } else {
                Function<V, C> create = agg.createCombiner();
                Function2<C, V, C> mergeValue = agg.mergeValue();
                dep.parent().iterate(mapPartition, ctx, pair -> {
                    K k = pair.key();
                    HashMap<K, C> m = maps[n == 1 ? 0 : partitioner.partition(k)];
                    try {
                        C c = m.get(k);
                        if (c == null && !m.containsKey(k)) {
                            m.put(k, create.call(pair.value()));
                        } else {
                            m.put(k, mergeValue.call(c, pair.value()));
                        }
                    } catch (Exception e) {
                        throw Sneaky.rethrow(e);
                    }
                });
            }
            System.arraycopy(maps, 0, buckets, 0, n);
        } else {
            @SuppressWarnings("unchecked")
            ArrayList<Pair<K, V>>[] lists = new ArrayList[n];
            for (int i = 0; i < n; i++) {
                lists[i] = new ArrayList<>();
            }
            dep.parent().iterate(mapPartition, ctx, pair -> lists[n == 1 ? 0 : partitioner.partition(pair.key())].add(pair));
            System.arraycopy(lists, 0, buckets, 0, n);
        }
        return buckets;
    }
}
