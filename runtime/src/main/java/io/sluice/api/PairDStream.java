package io.sluice.api;

import io.sluice.api.function.FlatMapFunction;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.api.function.Function4;
import io.sluice.batch.Dataset;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.PairDataset;
import io.sluice.batch.Partitioner;
import io.sluice.dstream.MapWithStateDStream;
import io.sluice.dstream.MappedDStream;
import io.sluice.dstream.ReducedWindowedDStream;
import io.sluice.dstream.StateDStream;
import io.sluice.storage.StorageLevel;
import java.time.Duration;
import java.util.ArrayList;
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

    /** Names this view and the stream under it (which pins the operator id of a stateful stream). */
    @Override
    public PairDStream<K, V> name(String name) {
        super.name(name);
        inner.name(name);
        return this;
    }

    /** Pins the stable id of the stateful operation under this view (see {@link DStream#uid}). */
    @Override
    public PairDStream<K, V> uid(String uid) {
        return name(uid);
    }

    /** Sets the checkpoint interval of this view and of the stream under it. */
    @Override
    public PairDStream<K, V> checkpoint(Duration interval) {
        super.checkpoint(interval);
        inner.checkpoint(interval);
        return this;
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

    // ================================================================ windows by key

    /** Every batch, each key's values of the last {@code windowDuration} reduced with {@code f}. */
    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Duration windowDuration) {
        return reduceByKeyAndWindow(f, windowDuration, slideDuration(), defaultPartitioner());
    }

    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Duration windowDuration,
                                                  Duration slideDuration) {
        return reduceByKeyAndWindow(f, windowDuration, slideDuration, defaultPartitioner());
    }

    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Duration windowDuration,
                                                  Duration slideDuration, int numPartitions) {
        return reduceByKeyAndWindow(f, windowDuration, slideDuration, new HashPartitioner(numPartitions));
    }

    /**
     * Every {@code slideDuration}, each key's values of the last {@code windowDuration} reduced with {@code f},
     * recomputed from the per-batch reductions: a key with no values in the window is absent.
     */
    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Duration windowDuration,
                                                  Duration slideDuration, Partitioner partitioner) {
        // the window unions batches that share the partitioner, so the second reduction needs no shuffle
        return reduceByKey(f, partitioner).window(windowDuration, slideDuration).reduceByKey(f, partitioner);
    }

    /**
     * Every {@code slideDuration}, each key's reduced values of the last {@code windowDuration}, computed
     * incrementally: the previous window's result, reduced with the batches that entered the window and
     * inverse-reduced ({@code invF(f(x, y), x) = y}) with those that left. A key whose values all left stays, with
     * the value the inverse gives (such as 0). Needs a checkpoint directory.
     */
    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Function2<V, V, V> invF,
                                                  Duration windowDuration, Duration slideDuration) {
        return reduceByKeyAndWindow(f, invF, windowDuration, slideDuration, defaultPartitioner(), null);
    }

    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Function2<V, V, V> invF,
                                                  Duration windowDuration, Duration slideDuration, int numPartitions) {
        return reduceByKeyAndWindow(f, invF, windowDuration, slideDuration, new HashPartitioner(numPartitions), null);
    }

    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Function2<V, V, V> invF,
                                                  Duration windowDuration, Duration slideDuration, int numPartitions,
                                                  Function<Pair<K, V>, Boolean> filterFunc) {
        return reduceByKeyAndWindow(f, invF, windowDuration, slideDuration, new HashPartitioner(numPartitions),
                filterFunc);
    }

    /**
     * As {@link #reduceByKeyAndWindow(Function2, Function2, Duration, Duration)}, into the partitions of
     * {@code partitioner}, keeping only the keys for which {@code filterFunc} (if not null) returns true — with
     * {@code v != 0} for counts, the result equals the recomputing form.
     */
    public PairDStream<K, V> reduceByKeyAndWindow(Function2<V, V, V> f, Function2<V, V, V> invF,
                                                  Duration windowDuration, Duration slideDuration,
                                                  Partitioner partitioner, Function<Pair<K, V>, Boolean> filterFunc) {
        return of(new ReducedWindowedDStream<>(this, f, invF, windowDuration, slideDuration, partitioner, filterFunc));
    }

    /** Every batch, all values of each key within the last {@code windowDuration}. */
    public PairDStream<K, Iterable<V>> groupByKeyAndWindow(Duration windowDuration) {
        return groupByKeyAndWindow(windowDuration, slideDuration(), defaultPartitioner());
    }

    public PairDStream<K, Iterable<V>> groupByKeyAndWindow(Duration windowDuration, Duration slideDuration) {
        return groupByKeyAndWindow(windowDuration, slideDuration, defaultPartitioner());
    }

    public PairDStream<K, Iterable<V>> groupByKeyAndWindow(Duration windowDuration, Duration slideDuration,
                                                           int numPartitions) {
        return groupByKeyAndWindow(windowDuration, slideDuration, new HashPartitioner(numPartitions));
    }

    /** Every {@code slideDuration}, all values of each key within the last {@code windowDuration}, in batch order. */
    public PairDStream<K, Iterable<V>> groupByKeyAndWindow(Duration windowDuration, Duration slideDuration,
                                                           Partitioner partitioner) {
        // per-batch groups are kept by the window and read again by later windows: merge into fresh lists
        PairDStream<K, ArrayList<V>> merged = groupByKey(partitioner).window(windowDuration, slideDuration)
                .combineByKey(values -> {
                    var list = new ArrayList<V>();
                    values.forEach(list::add);
                    return list;
                }, (list, values) -> {
                    values.forEach(list::add);
                    return list;
                }, (a, b) -> {
                    a.addAll(b);
                    return a;
                }, partitioner, true);
        @SuppressWarnings({"unchecked", "rawtypes"})
        PairDStream<K, Iterable<V>> result = (PairDStream) merged;
        return result;
    }

    // ================================================================ state

    /**
     * Keeps a state per key: every batch, {@code f(newValues, state)} runs for every key that has new values or a
     * state (with an empty list when it has no new values, also in batches where the input has no data), and
     * becomes the key's state; empty removes the key. Every batch emits the whole state. Needs a checkpoint
     * directory.
     */
    public <S> PairDStream<K, S> updateStateByKey(Function2<List<V>, Optional<S>, Optional<S>> f) {
        return updateStateByKey(f, defaultPartitioner());
    }

    public <S> PairDStream<K, S> updateStateByKey(Function2<List<V>, Optional<S>, Optional<S>> f, int numPartitions) {
        return updateStateByKey(f, new HashPartitioner(numPartitions));
    }

    public <S> PairDStream<K, S> updateStateByKey(Function2<List<V>, Optional<S>, Optional<S>> f,
                                                  Partitioner partitioner) {
        return updateStateByKey(f, partitioner, null);
    }

    /** As {@link #updateStateByKey(Function2)}, starting from {@code initialState} (may be null). */
    public <S> PairDStream<K, S> updateStateByKey(Function2<List<V>, Optional<S>, Optional<S>> f,
                                                  Partitioner partitioner, PairDataset<K, S> initialState) {
        return updateStateByKey((Function4<Time, K, List<V>, Optional<S>, Optional<S>>) (time, key, values, state) ->
                f.call(values, state), partitioner, initialState);
    }

    /**
     * The time-aware form: {@code f(batchTime, key, newValues, state)}; state partitioned by {@code partitioner},
     * starting from {@code initialState} (may be null).
     */
    public <S> PairDStream<K, S> updateStateByKey(Function4<Time, K, List<V>, Optional<S>, Optional<S>> f,
                                                  Partitioner partitioner, PairDataset<K, S> initialState) {
        return of(new StateDStream<>(this, f, partitioner, initialState));
    }

    /**
     * Calls {@code spec}'s function once per record with the key's {@link State}, and once for each key idle
     * longer than the spec's timeout; returns what the calls return, batch by batch. Only keys with records (or
     * timing out) are touched. {@link MapWithStateDStream#stateSnapshots()} gives the full state every batch.
     * Needs a checkpoint directory.
     */
    public <S, U> MapWithStateDStream<K, V, S, U> mapWithState(StateSpec<K, V, S, U> spec) {
        return new MapWithStateDStream<>(this, spec, defaultPartitioner());
    }
}
