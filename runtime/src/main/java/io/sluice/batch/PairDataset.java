package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.api.function.FlatMapFunction;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.storage.StorageLevel;
import io.sluice.util.Sneaky;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A dataset of key-value pairs, with the keyed operations: aggregation by key, joins, grouping, sorting.
 * Shuffle operations take an optional number of result partitions.
 */
public final class PairDataset<K, V> extends Dataset<Pair<K, V>> {
    private final Dataset<Pair<K, V>> inner;

    public PairDataset(Dataset<Pair<K, V>> inner) {
        super(inner.context(), inner.opName());
        this.inner = inner;
    }

    /** Views a dataset of pairs as a pair dataset (no copy, no job). */
    public static <K, V> PairDataset<K, V> of(Dataset<Pair<K, V>> ds) {
        return ds instanceof PairDataset<K, V> p ? p : new PairDataset<>(ds);
    }

    @Override
    public int numPartitions() {
        return inner.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return narrow(inner);
    }

    @Override
    public Partitioner partitioner() {
        return inner.partitioner();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super Pair<K, V>> out) {
        inner.iterate(partition, ctx, out);
    }

    // ---------------------------------------------------------------- narrow

    public <U> PairDataset<K, U> mapValues(Function<? super V, U> f) {
        return new PairDataset<>(new PipedDataset<Pair<K, V>, Pair<K, U>>(this, "mapValues", true, out -> p -> {
            try {
                out.accept(new Pair<>(p.key(), f.call(p.value())));
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        }));
    }

    public <U> PairDataset<K, U> flatMapValues(FlatMapFunction<? super V, U> f) {
        return new PairDataset<>(new PipedDataset<Pair<K, V>, Pair<K, U>>(this, "flatMapValues", true, out -> p -> {
            try {
                Iterator<U> it = f.call(p.value());
                while (it.hasNext()) {
                    out.accept(new Pair<>(p.key(), it.next()));
                }
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        }));
    }

    public Dataset<K> keys() {
        return map(Pair::key);
    }

    public Dataset<V> values() {
        return map(Pair::value);
    }

    @Override
    public PairDataset<K, V> filter(Function<? super Pair<K, V>, Boolean> f) {
        return new PairDataset<>(super.filter(f));
    }

    @Override
    public PairDataset<K, V> repartition(int numPartitions) {
        return new PairDataset<>(super.repartition(numPartitions));
    }

    @Override
    public PairDataset<K, V> coalesce(int numPartitions) {
        return new PairDataset<>(super.coalesce(numPartitions));
    }

    @Override
    public PairDataset<K, V> union(Dataset<Pair<K, V>> other) {
        return new PairDataset<>(super.union(other));
    }

    @Override
    public PairDataset<K, V> persist(StorageLevel level) {
        super.persist(level);
        return this;
    }

    @Override
    public PairDataset<K, V> cache() {
        return persist(StorageLevel.MEMORY_ONLY);
    }

    @Override
    public PairDataset<K, V> unpersist() {
        super.unpersist();
        return this;
    }

    // ---------------------------------------------------------------- aggregation by key

    public PairDataset<K, V> reduceByKey(Function2<V, V, V> f) {
        return reduceByKey(f, defaultPartitioner());
    }

    public PairDataset<K, V> reduceByKey(Function2<V, V, V> f, int numPartitions) {
        return reduceByKey(f, new HashPartitioner(numPartitions));
    }

    public PairDataset<K, V> reduceByKey(Function2<V, V, V> f, Partitioner partitioner) {
        return combineByKey(Aggregator.reducing(f), partitioner, true, "reduceByKey");
    }

    public <C> PairDataset<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, defaultPartitioner(), true);
    }

    public <C> PairDataset<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners, int numPartitions) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, new HashPartitioner(numPartitions), true);
    }

    public <C> PairDataset<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners, Partitioner partitioner,
                                              boolean mapSideCombine) {
        return combineByKey(new Aggregator<>(createCombiner, mergeValue, mergeCombiners, false), partitioner,
                mapSideCombine, "combineByKey");
    }

    private <C> PairDataset<K, C> combineByKey(Aggregator<V, C> agg, Partitioner partitioner, boolean mapSideCombine,
                                               String opName) {
        if (Objects.equals(partitioner(), partitioner)) {
            // already partitioned by this partitioner: combine within each partition, no shuffle
            return new PairDataset<>(new PartitionwiseDataset<Pair<K, V>, Pair<K, C>>(this, opName, true,
                    (i, it) -> {
                        var buffer = new CombineBuffer<K, V, C>(agg);
                        while (it.hasNext()) {
                            Pair<K, V> p = it.next();
                            buffer.add(p.key(), p.value());
                        }
                        var combined = buffer.result();
                        var out = new ArrayList<Pair<K, C>>(combined.size());
                        combined.forEach((k, c) -> out.add(new Pair<>(k, c)));
                        return out.iterator();
                    }));
        }
        return new PairDataset<>(new ShuffledDataset<>(
                new ShuffleDependency<>(this, partitioner, agg, mapSideCombine, null), opName));
    }

    /** Folds the values of each key starting from its own copy of {@code zero}. */
    public PairDataset<K, V> foldByKey(V zero, Function2<V, V, V> f) {
        var zeroValue = new Copies.Zero<>(zero, "foldByKey");
        return combineByKey(v -> f.call(zeroValue.fresh(), v), f, f);
    }

    /** Aggregates the values of each key starting from its own copy of {@code zero} (it may be mutable). */
    public <U> PairDataset<K, U> aggregateByKey(U zero, Function2<U, V, U> seq, Function2<U, U, U> comb) {
        var zeroValue = new Copies.Zero<>(zero, "aggregateByKey");
        return combineByKey(v -> seq.call(zeroValue.fresh(), v), seq, comb);
    }

    public PairDataset<K, Iterable<V>> groupByKey() {
        return groupByKey(defaultPartitioner());
    }

    public PairDataset<K, Iterable<V>> groupByKey(int numPartitions) {
        return groupByKey(new HashPartitioner(numPartitions));
    }

    /** All values of each key in one list; no map-side combine, since grouping does not shrink data. */
    public PairDataset<K, Iterable<V>> groupByKey(Partitioner partitioner) {
        PairDataset<K, ArrayList<V>> grouped = combineByKey(
                new Aggregator<V, ArrayList<V>>(v -> {
                    var l = new ArrayList<V>();
                    l.add(v);
                    return l;
                }, (l, v) -> {
                    l.add(v);
                    return l;
                }, (a, b) -> {
                    a.addAll(b);
                    return a;
                }, false), partitioner, false, "groupByKey");
        @SuppressWarnings({"unchecked", "rawtypes"})
        PairDataset<K, Iterable<V>> result = (PairDataset) grouped;
        return result;
    }

    public PairDataset<K, V> partitionBy(Partitioner partitioner) {
        if (Objects.equals(partitioner(), partitioner)) {
            return this;
        }
        return new PairDataset<>(new ShuffledDataset<K, V, V>(
                new ShuffleDependency<>(this, partitioner, null, false, null), "partitionBy"));
    }

    // ---------------------------------------------------------------- joins

    public <W> PairDataset<K, Pair<Iterable<V>, Iterable<W>>> cogroup(Dataset<Pair<K, W>> other) {
        return cogroup(other, defaultPartitioner(other));
    }

    public <W> PairDataset<K, Pair<Iterable<V>, Iterable<W>>> cogroup(Dataset<Pair<K, W>> other, int numPartitions) {
        return cogroup(other, new HashPartitioner(numPartitions));
    }

    @SuppressWarnings("unchecked")
    public <W> PairDataset<K, Pair<Iterable<V>, Iterable<W>>> cogroup(Dataset<Pair<K, W>> other,
                                                                      Partitioner partitioner) {
        var grouped = new CoGroupedDataset<K>(context(), List.of(this, other), partitioner);
        return new PairDataset<>(grouped).mapValues(
                lists -> new Pair<>((Iterable<V>) (List<?>) lists.get(0), (Iterable<W>) (List<?>) lists.get(1)));
    }

    public <W> PairDataset<K, Pair<V, W>> join(Dataset<Pair<K, W>> other) {
        return join(other, defaultPartitioner(other));
    }

    public <W> PairDataset<K, Pair<V, W>> join(Dataset<Pair<K, W>> other, int numPartitions) {
        return join(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDataset<K, Pair<V, W>> join(Dataset<Pair<K, W>> other, Partitioner partitioner) {
        return cogroup(other, partitioner).flatMapValues(g -> {
            var out = new ArrayList<Pair<V, W>>();
            for (V v : g.key()) {
                for (W w : g.value()) {
                    out.add(new Pair<>(v, w));
                }
            }
            return out.iterator();
        });
    }

    public <W> PairDataset<K, Pair<V, Optional<W>>> leftOuterJoin(Dataset<Pair<K, W>> other) {
        return leftOuterJoin(other, defaultPartitioner(other));
    }

    public <W> PairDataset<K, Pair<V, Optional<W>>> leftOuterJoin(Dataset<Pair<K, W>> other, int numPartitions) {
        return leftOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDataset<K, Pair<V, Optional<W>>> leftOuterJoin(Dataset<Pair<K, W>> other, Partitioner partitioner) {
        return cogroup(other, partitioner).flatMapValues(g -> {
            var out = new ArrayList<Pair<V, Optional<W>>>();
            for (V v : g.key()) {
                boolean any = false;
                for (W w : g.value()) {
                    out.add(new Pair<>(v, Optional.ofNullable(w)));
                    any = true;
                }
                if (!any) {
                    out.add(new Pair<>(v, Optional.empty()));
                }
            }
            return out.iterator();
        });
    }

    public <W> PairDataset<K, Pair<Optional<V>, W>> rightOuterJoin(Dataset<Pair<K, W>> other) {
        return rightOuterJoin(other, defaultPartitioner(other));
    }

    public <W> PairDataset<K, Pair<Optional<V>, W>> rightOuterJoin(Dataset<Pair<K, W>> other, int numPartitions) {
        return rightOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDataset<K, Pair<Optional<V>, W>> rightOuterJoin(Dataset<Pair<K, W>> other, Partitioner partitioner) {
        return cogroup(other, partitioner).flatMapValues(g -> {
            var out = new ArrayList<Pair<Optional<V>, W>>();
            for (W w : g.value()) {
                boolean any = false;
                for (V v : g.key()) {
                    out.add(new Pair<>(Optional.ofNullable(v), w));
                    any = true;
                }
                if (!any) {
                    out.add(new Pair<>(Optional.empty(), w));
                }
            }
            return out.iterator();
        });
    }

    public <W> PairDataset<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(Dataset<Pair<K, W>> other) {
        return fullOuterJoin(other, defaultPartitioner(other));
    }

    public <W> PairDataset<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(Dataset<Pair<K, W>> other,
                                                                             int numPartitions) {
        return fullOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDataset<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(Dataset<Pair<K, W>> other,
                                                                             Partitioner partitioner) {
        return cogroup(other, partitioner).flatMapValues(g -> {
            var out = new ArrayList<Pair<Optional<V>, Optional<W>>>();
            boolean anyV = g.key().iterator().hasNext();
            boolean anyW = g.value().iterator().hasNext();
            if (!anyV) {
                for (W w : g.value()) {
                    out.add(new Pair<>(Optional.empty(), Optional.ofNullable(w)));
                }
            } else if (!anyW) {
                for (V v : g.key()) {
                    out.add(new Pair<>(Optional.ofNullable(v), Optional.empty()));
                }
            } else {
                for (V v : g.key()) {
                    for (W w : g.value()) {
                        out.add(new Pair<>(Optional.ofNullable(v), Optional.ofNullable(w)));
                    }
                }
            }
            return out.iterator();
        });
    }

    /** Pairs whose key does not occur in {@code other}. */
    public <W> PairDataset<K, V> subtractByKey(Dataset<Pair<K, W>> other) {
        return cogroup(other, defaultPartitioner(other)).flatMapValues(g -> {
            if (g.value().iterator().hasNext()) {
                return java.util.Collections.emptyIterator();
            }
            return g.key().iterator();
        });
    }

    // ---------------------------------------------------------------- sorting

    public PairDataset<K, V> sortByKey() {
        return sortByKey(true);
    }

    public PairDataset<K, V> sortByKey(boolean ascending) {
        return sortByKey(ascending, numPartitions());
    }

    public PairDataset<K, V> sortByKey(boolean ascending, int numPartitions) {
        return sortByKey(ascending, numPartitions, naturalOrder());
    }

    /**
     * Sorts by key into {@code numPartitions} ranges; runs a small job to sample the keys for the range bounds.
     */
    public PairDataset<K, V> sortByKey(boolean ascending, int numPartitions, Comparator<? super K> comparator) {
        Comparator<K> order = ascending ? (Comparator<K> & Serializable) comparator::compare : reversed(comparator);
        Object[] bounds = numPartitions <= 1 ? new Object[0] : sampleBounds(numPartitions, comparator);
        var partitioner = new RangePartitioner<K>(bounds, comparator, ascending);
        return new PairDataset<>(new ShuffledDataset<K, V, V>(
                new ShuffleDependency<>(this, partitioner, null, false, order), "sortByKey"));
    }

    private static <K> Comparator<K> reversed(Comparator<? super K> c) {
        return (Comparator<K> & Serializable) (a, b) -> c.compare(b, a);
    }

    private Object[] sampleBounds(int numPartitions, Comparator<? super K> comparator) {
        int perPartition = Math.max(20, 20 * numPartitions / Math.max(1, numPartitions()));
        List<List<K>> samples = context().runJob(this, "sortByKey sample", (p, ctx) -> {
            var reservoir = new ArrayList<K>();
            long[] seen = {0};
            var rnd = new java.util.SplittableRandom(p * 31L + 7);
            iterate(p, ctx, pair -> {
                long i = seen[0]++;
                if (reservoir.size() < perPartition) {
                    reservoir.add(pair.key());
                } else {
                    long j = rnd.nextLong(i + 1);
                    if (j < perPartition) {
                        reservoir.set((int) j, pair.key());
                    }
                }
            });
            return reservoir;
        });
        var all = new ArrayList<K>();
        samples.forEach(all::addAll);
        if (all.isEmpty()) {
            return new Object[0];
        }
        all.sort(comparator);
        var bounds = new ArrayList<Object>();
        for (int i = 1; i < numPartitions; i++) {
            K candidate = all.get(Math.min(all.size() - 1, (int) ((long) i * all.size() / numPartitions)));
            if (bounds.isEmpty() || comparator.compare(candidate, (K) bounds.get(bounds.size() - 1)) > 0) {
                bounds.add(candidate);
            }
        }
        return bounds.toArray();
    }

    // ---------------------------------------------------------------- actions

    /** The number of pairs per key, on the driver. */
    public Map<K, Long> countByKey() {
        var result = new LinkedHashMap<K, Long>();
        for (var p : mapValues(v -> 1L).reduceByKey(Long::sum).collect()) {
            result.put(p.key(), p.value());
        }
        return result;
    }

    public Map<K, V> collectAsMap() {
        var result = new HashMap<K, V>();
        for (var p : collect()) {
            result.put(p.key(), p.value());
        }
        return result;
    }

    public List<V> lookup(K key) {
        return filter(p -> Objects.equals(p.key(), key)).values().collect();
    }

    // ---------------------------------------------------------------- helpers

    private Partitioner defaultPartitioner(Dataset<?>... others) {
        if (partitioner() != null) {
            return partitioner();
        }
        int configured = context().configuredParallelism();
        if (configured > 0) {
            return new HashPartitioner(configured);
        }
        int max = numPartitions();
        for (var o : others) {
            max = Math.max(max, o.numPartitions());
        }
        return new HashPartitioner(Math.max(1, max));
    }
}
