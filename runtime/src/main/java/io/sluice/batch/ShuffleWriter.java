package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.util.Sneaky;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;

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
                // the function may modify its first argument, which can be the parent's own object (cached, or the
                // driver's list): it is given a copy of that instead
                java.util.function.BiFunction<V, V, V> merge = Copies.mergingIntoCopies(f);
                dep.parent().iterate(mapPartition, ctx, pair -> {
                    K k = pair.key();
                    @SuppressWarnings("unchecked")
                    HashMap<K, V> m = (HashMap<K, V>) (HashMap<K, ?>) maps[n == 1 ? 0 : partitioner.partition(k)];
                    m.merge(k, pair.value(), merge);
                });
            } else {
                Function<V, C> create = agg.createCombiner();
                Function2<C, V, C> mergeValue = agg.mergeValue();
                // combiners that are still the parent's own values: copied before mergeValue may change them
                var borrowed = new HashSet<K>();
                dep.parent().iterate(mapPartition, ctx, pair -> {
                    K k = pair.key();
                    HashMap<K, C> m = maps[n == 1 ? 0 : partitioner.partition(k)];
                    try {
                        C c = m.get(k);
                        if (c == null && !m.containsKey(k)) {
                            C created = create.call(pair.value());
                            if (created == (Object) pair.value() && !Copies.isImmutable(created)) {
                                borrowed.add(k);
                            }
                            m.put(k, created);
                        } else {
                            if (borrowed.remove(k)) {
                                c = Copies.copy(c);
                            }
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
