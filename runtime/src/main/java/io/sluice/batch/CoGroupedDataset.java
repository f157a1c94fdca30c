package io.sluice.batch;

import io.sluice.api.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * For each key, the lists of its values in each of several parents. A parent already partitioned like the result
 * is read narrowly; the others are shuffled.
 */
final class CoGroupedDataset<K> extends Dataset<Pair<K, List<List<Object>>>> {
    private final List<Dataset<? extends Pair<K, ?>>> parents;
    private final List<Dependency> deps;
    private final Partitioner partitioner;

    @SuppressWarnings({"unchecked", "rawtypes"})
    CoGroupedDataset(SluiceContext sc, List<Dataset<? extends Pair<K, ?>>> parents, Partitioner partitioner) {
        super(sc, "cogroup");
        this.parents = List.copyOf(parents);
        this.partitioner = partitioner;
        var d = new ArrayList<Dependency>();
        for (var p : parents) {
            if (Objects.equals(p.partitioner(), partitioner)) {
                d.add(new Dependency.Narrow(p));
            } else {
                d.add(new ShuffleDependency(p, partitioner, null, false, null));
            }
        }
        this.deps = List.copyOf(d);
    }

    @Override
    public int numPartitions() {
        return partitioner.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return deps;
    }

    @Override
    public Partitioner partitioner() {
        return partitioner;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void compute(int partition, TaskContext ctx, Consumer<? super Pair<K, List<List<Object>>>> out) {
        int n = parents.size();
        var groups = new HashMap<K, List<List<Object>>>();
        for (int i = 0; i < n; i++) {
            final int which = i;
            Consumer<Pair<K, ?>> add = pair -> groups.computeIfAbsent(pair.key(), k -> {
                var lists = new ArrayList<List<Object>>(n);
                for (int j = 0; j < n; j++) {
                    lists.add(new ArrayList<>());
                }
                return lists;
            }).get(which).add(pair.value());
            Dependency dep = deps.get(i);
            if (dep instanceof ShuffleDependency<?, ?, ?> sd) {
                var buckets = ctx.env().shuffleReader().buckets(sd.shuffleId(), partition);
                while (buckets.hasNext()) {
                    for (Pair<K, ?> p : (List<Pair<K, ?>>) buckets.next()) {
                        add.accept(p);
                    }
                }
            } else {
                ((Dataset<Pair<K, ?>>) parents.get(i)).iterate(partition, ctx, add);
            }
        }
        for (var e : groups.entrySet()) {
            out.accept(new Pair<>(e.getKey(), e.getValue()));
        }
    }
}
