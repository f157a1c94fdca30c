package io.sluice.api;

import io.sluice.api.function.FlatMapFunction;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.batch.Dataset;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.PairDataset;
import io.sluice.batch.Partitioner;
import io.sluice.dstream.MappedDStream;
import io.sluice.storage.StorageLevel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A DStream of key-value pairs, with the keyed operations applied batch by batch: aggregation by key, grouping,
 * joins with another pair stream, and (see the window and state sections) keyed windows and state.
 * Shuffle operations take an optional number of partitions; by default the context's default parallelism.
 */
public class PairDStream<K, V> extends DStream<Pair<K, V>> {
    private final DStream<Pair<K, V>> inner;

    protected PairDStream(DStream<Pair<K, V>> inner) {
        super(inner.context(), inner.opName());
        this.inner = inner;
    }

    /** Views a stream of pairs as a pair stream. */
    public static <K, V> PairDStream<K, V> of(DStream<Pair<K, V>> stream) {
        return stream instanceof PairDStream<K, V> p ? p : new PairDStream<>(stream);
    }

    @Override
    public Duration slideDuration() {
        return inner.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(inner);
    }

    @Override
    protected Optional<Dataset<Pair<K, V>>> compute(Time time) {
        return inner.getOrCompute(time);
    }

    /** The wrapped stream (engine-internal). */
    public DStream<Pair<K, V>> unwrap() {
        return inner;
    }

    protected Partitioner defaultPartitioner() {
        return new HashPartitioner(context().context().defaultParallelism());
    }

    private <R> MappedDStream<Pair<K, V>, Pair<K, R>> mapped(String op, Function<PairDataset<K, V>, Dataset<Pair<K, R>>> f,
                                                             Object closure) {
        return new MappedDStream<>(this, op, ds -> f.call(PairDataset.of(ds)), closure);
    }

    // ================================================================ narrow

    public <U> PairDStream<K, U> mapValues(Function<? super V, U> f) {
        return of(mapped("mapValues", ds -> ds.mapValues(f), f));
    }

    public <U> PairDStream<K, U> flatMapValues(FlatMapFunction<? super V, U> f) {
        return of(mapped("flatMapValues", ds -> ds.flatMapValues(f), f));
    }

    @Override
    public PairDStream<K, V> filter(Function<? super Pair<K, V>, Boolean> f) {
        return of(super.filter(f));
    }

    @Override
    public PairDStream<K, V> repartition(int numPartitions) {
        return of(super.repartition(numPartitions));
    }

    public PairDStream<K, V> union(PairDStream<K, V> other) {
        return of(super.union(other));
    }

    @Override
    public PairDStream<K, V> window(Duration windowDuration) {
        return of(super.window(windowDuration));
    }

    @Override
    public PairDStream<K, V> window(Duration windowDuration, Duration slideDuration) {
        return of(super.window(windowDuration, slideDuration));
    }

    @Override
    public PairDStream<K, V> persist(StorageLevel level) {
        super.persist(level);
        inner.persist(level);
        return this;
    }

    @Override
    public PairDStream<K, V> cache() {
        return persist(StorageLevel.MEMORY_ONLY_SER);
    }

    // ================================================================ aggregation by key

    public PairDStream<K, V> reduceByKey(Function2<V, V, V> f) {
        return reduceByKey(f, defaultPartitioner());
    }

    public PairDStream<K, V> reduceByKey(Function2<V, V, V> f, int numPartitions) {
        return reduceByKey(f, new HashPartitioner(numPartitions));
    }

    public PairDStream<K, V> reduceByKey(Function2<V, V, V> f, Partitioner partitioner) {
        return of(mapped("reduceByKey", ds -> ds.reduceByKey(f, partitioner), f));
    }

    public <C> PairDStream<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, defaultPartitioner(), true);
    }

    public <C> PairDStream<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners, int numPartitions) {
        return combineByKey(createCombiner, mergeValue, mergeCombiners, new HashPartitioner(numPartitions), true);
    }

    public <C> PairDStream<K, C> combineByKey(Function<V, C> createCombiner, Function2<C, V, C> mergeValue,
                                              Function2<C, C, C> mergeCombiners, Partitioner partitioner,
                                              boolean mapSideCombine) {
        var stream = mapped("combineByKey",
                ds -> ds.combineByKey(createCombiner, mergeValue, mergeCombiners, partitioner, mapSideCombine),
                createCombiner);
        stream.addClosures("combineByKey", mergeValue, mergeCombiners);
        return of(stream);
    }

    public PairDStream<K, Iterable<V>> groupByKey() {
        return groupByKey(defaultPartitioner());
    }

    public PairDStream<K, Iterable<V>> groupByKey(int numPartitions) {
        return groupByKey(new HashPartitioner(numPartitions));
    }

    public PairDStream<K, Iterable<V>> groupByKey(Partitioner partitioner) {
        return of(mapped("groupByKey", ds -> ds.groupByKey(partitioner), null));
    }

    /** The number of pairs per key in each batch. */
    public PairDStream<K, Long> countByKey() {
        return countByKey(context().context().defaultParallelism());
    }

    public PairDStream<K, Long> countByKey(int numPartitions) {
        return of(mapped("countByKey", ds -> ds.mapValues(v -> 1L).reduceByKey(Long::sum, numPartitions), null));
    }

    // ================================================================ joins (both streams must produce the batch)

    public <W> PairDStream<K, Pair<Iterable<V>, Iterable<W>>> cogroup(PairDStream<K, W> other) {
        return cogroup(other, defaultPartitioner());
    }

    public <W> PairDStream<K, Pair<Iterable<V>, Iterable<W>>> cogroup(PairDStream<K, W> other, int numPartitions) {
        return cogroup(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDStream<K, Pair<Iterable<V>, Iterable<W>>> cogroup(PairDStream<K, W> other, Partitioner partitioner) {
        return of(transformWith(other, (a, b) -> PairDataset.of(a).cogroup(b, partitioner)));
    }

    public <W> PairDStream<K, Pair<V, W>> join(PairDStream<K, W> other) {
        return join(other, defaultPartitioner());
    }

    public <W> PairDStream<K, Pair<V, W>> join(PairDStream<K, W> other, int numPartitions) {
        return join(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDStream<K, Pair<V, W>> join(PairDStream<K, W> other, Partitioner partitioner) {
        return of(transformWith(other, (a, b) -> PairDataset.of(a).join(b, partitioner)));
    }

    public <W> PairDStream<K, Pair<V, Optional<W>>> leftOuterJoin(PairDStream<K, W> other) {
        return leftOuterJoin(other, defaultPartitioner());
    }

    public <W> PairDStream<K, Pair<V, Optional<W>>> leftOuterJoin(PairDStream<K, W> other, int numPartitions) {
        return leftOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDStream<K, Pair<V, Optional<W>>> leftOuterJoin(PairDStream<K, W> other, Partitioner partitioner) {
        return of(transformWith(other, (a, b) -> PairDataset.of(a).leftOuterJoin(b, partitioner)));
    }

    public <W> PairDStream<K, Pair<Optional<V>, W>> rightOuterJoin(PairDStream<K, W> other) {
        return rightOuterJoin(other, defaultPartitioner());
    }

    public <W> PairDStream<K, Pair<Optional<V>, W>> rightOuterJoin(PairDStream<K, W> other, int numPartitions) {
        return rightOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDStream<K, Pair<Optional<V>, W>> rightOuterJoin(PairDStream<K, W> other, Partitioner partitioner) {
        return of(transformWith(other, (a, b) -> PairDataset.of(a).rightOuterJoin(b, partitioner)));
    }

    public <W> PairDStream<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(PairDStream<K, W> other) {
        return fullOuterJoin(other, defaultPartitioner());
    }

    public <W> PairDStream<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(PairDStream<K, W> other, int numPartitions) {
        return fullOuterJoin(other, new HashPartitioner(numPartitions));
    }

    public <W> PairDStream<K, Pair<Optional<V>, Optional<W>>> fullOuterJoin(PairDStream<K, W> other,
                                                                            Partitioner partitioner) {
        return of(transformWith(other, (a, b) -> PairDataset.of(a).fullOuterJoin(b, partitioner)));
    }
}
