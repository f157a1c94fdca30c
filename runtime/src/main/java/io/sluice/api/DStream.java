package io.sluice.api;

import io.sluice.api.function.FlatMapFunction;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.api.function.Function3;
import io.sluice.api.function.PairFlatMapFunction;
import io.sluice.api.function.PairFunction;
import io.sluice.api.function.VoidFunction;
import io.sluice.api.function.VoidFunction2;
import io.sluice.batch.Dataset;
import io.sluice.batch.PairDataset;
import io.sluice.dstream.ForEachDStream;
import io.sluice.dstream.MappedDStream;
import io.sluice.dstream.TransformedDStream;
import io.sluice.dstream.UnionDStream;
import io.sluice.dstream.WindowedDStream;
import io.sluice.storage.StorageLevel;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A discretized stream: a sequence of {@link Dataset}s, one per slide interval, produced from an input or from
 * other DStreams. Transformations build new DStreams; output operations ({@link #print()}, {@link #foreachRDD},
 * {@code saveAs...}) register work to run every batch. Nothing runs until {@link StreamingContext#start()}.
 *
 * <p>The methods in the section "engine internals" are used by the scheduler and by DStream implementations,
 * not by applications.
 */
public abstract class DStream<T> implements Serializable {
    private static final Logger LOG = LogManager.getLogger(DStream.class);

    private final transient StreamingContext ssc;
    private final int id;
    private final String opName;
    private final transient Map<Time, Dataset<T>> generated = new ConcurrentHashMap<>();
    private final transient List<Closure> closures = new ArrayList<>();
    private transient Time zeroTime;
    private transient Duration rememberDuration;
    private transient StorageLevel storageLevel = StorageLevel.NONE;
    private transient Duration checkpointDuration;
    private transient String name;

    /** A user function together with the operation it belongs to, checked for serializability at start. */
    public record Closure(String operation, Object function) {
    }

    protected DStream(StreamingContext ssc, String opName) {
        ssc.assertCanAddStreams();
        this.ssc = ssc;
        this.opName = opName;
        this.id = ssc.graph().nextStreamId();
    }

    // ================================================================ transformations

    public <R> DStream<R> map(Function<? super T, ? extends R> f) {
        return new MappedDStream<>(this, "map", ds -> ds.map(f), f);
    }

    public <R> DStream<R> flatMap(FlatMapFunction<? super T, R> f) {
        return new MappedDStream<>(this, "flatMap", ds -> ds.flatMap(f), f);
    }

    public DStream<T> filter(Function<? super T, Boolean> f) {
        return new MappedDStream<>(this, "filter", ds -> ds.filter(f), f);
    }

    public <K, V> PairDStream<K, V> mapToPair(PairFunction<? super T, K, V> f) {
        return PairDStream.of(new MappedDStream<T, Pair<K, V>>(this, "mapToPair", ds -> ds.mapToPair(f), f));
    }

    public <K, V> PairDStream<K, V> flatMapToPair(PairFlatMapFunction<? super T, K, V> f) {
        return PairDStream.of(new MappedDStream<T, Pair<K, V>>(this, "flatMapToPair", ds -> ds.flatMapToPair(f), f));
    }

    /** Applies {@code f} to each partition as a whole; the place for per-partition setup. */
    public <R> DStream<R> mapPartitions(FlatMapFunction<Iterator<T>, R> f) {
        return new MappedDStream<>(this, "mapPartitions", ds -> ds.mapPartitions(f), f);
    }

    public <R> DStream<R> mapPartitions(FlatMapFunction<Iterator<T>, R> f, boolean preservePartitioning) {
        return new MappedDStream<>(this, "mapPartitions", ds -> ds.mapPartitions(f, preservePartitioning), f);
    }

    /** One list per partition of each batch. */
    public DStream<List<T>> glom() {
        return new MappedDStream<>(this, "glom", Dataset::glom, null);
    }

    /** Each batch with exactly {@code numPartitions} partitions. */
    public DStream<T> repartition(int numPartitions) {
        return new MappedDStream<>(this, "repartition", ds -> ds.repartition(numPartitions), null);
    }

    /** Each batch of this stream together with the same batch of {@code other}. */
    public DStream<T> union(DStream<T> other) {
        return new UnionDStream<>(List.of(this, other));
    }

    /** The number of elements of each batch, as a one-element batch ({@code 0} for an empty batch). */
    public DStream<Long> count() {
        var sc = ssc.context();
        return new MappedDStream<T, Long>(this, "count", ds -> ds
                .mapPartitions(it -> {
                    long n = 0;
                    while (it.hasNext()) {
                        it.next();
                        n++;
                    }
                    return List.of(new Pair<Object, Long>(null, n)).iterator();
                })
                .union(sc.parallelize(List.of(new Pair<Object, Long>(null, 0L)), 1))
                .mapToPair(p -> p)
                .reduceByKey(Long::sum, 1)
                .values(), null);
    }

    /** Each distinct element of each batch with its number of occurrences. */
    public PairDStream<T, Long> countByValue() {
        return countByValue(ssc.context().defaultParallelism());
    }

    public PairDStream<T, Long> countByValue(int numPartitions) {
        return mapToPair(t -> new Pair<>(t, 1L)).reduceByKey(Long::sum, numPartitions);
    }

    /** Each batch reduced to a single element (an empty batch stays empty). */
    public DStream<T> reduce(Function2<T, T, T> f) {
        return new MappedDStream<T, T>(this, "reduce", ds -> ds
                .mapToPair(t -> new Pair<Object, T>(null, t))
                .reduceByKey(f, 1)
                .values(), f);
    }

    /** Applies an arbitrary dataset-to-dataset function to each batch, on the driver. */
    public <R> DStream<R> transform(Function<Dataset<T>, Dataset<R>> f) {
        return transform((ds, time) -> f.call(ds));
    }

    public <R> DStream<R> transform(Function2<Dataset<T>, Time, Dataset<R>> f) {
        return new TransformedDStream<>(List.of(this), "transform", (list, time) -> {
            @SuppressWarnings("unchecked") Dataset<T> ds = (Dataset<T>) list.get(0);
            return f.call(ds, time);
        }, f);
    }

    public <K, V> PairDStream<K, V> transformToPair(Function<Dataset<T>, Dataset<Pair<K, V>>> f) {
        return PairDStream.of(transform(f));
    }

    public <K, V> PairDStream<K, V> transformToPair(Function2<Dataset<T>, Time, Dataset<Pair<K, V>>> f) {
        return PairDStream.of(transform(f));
    }

    /** Combines each batch of this stream with the same batch of {@code other}. */
    public <U, R> DStream<R> transformWith(DStream<U> other, Function2<Dataset<T>, Dataset<U>, Dataset<R>> f) {
        return transformWith(other, (a, b, time) -> f.call(a, b));
    }

    @SuppressWarnings("unchecked")
    public <U, R> DStream<R> transformWith(DStream<U> other, Function3<Dataset<T>, Dataset<U>, Time, Dataset<R>> f) {
        return new TransformedDStream<>(List.of(this, other), "transformWith",
                (list, time) -> f.call((Dataset<T>) list.get(0), (Dataset<U>) list.get(1), time), f);
    }

    public <U, K, V> PairDStream<K, V> transformWithToPair(DStream<U> other,
                                                          Function2<Dataset<T>, Dataset<U>, Dataset<Pair<K, V>>> f) {
        return PairDStream.of(transformWith(other, f));
    }

    // ================================================================ windows

    /** A tumbling window: every {@code windowDuration}, the batches of the last {@code windowDuration}. */
    public DStream<T> window(Duration windowDuration) {
        return window(windowDuration, slideDuration());
    }

    /** Every {@code slideDuration}, the union of the batches in the last {@code windowDuration}. */
    public DStream<T> window(Duration windowDuration, Duration slideDuration) {
        return new WindowedDStream<>(this, windowDuration, slideDuration);
    }

    /**
     * Every {@code slideDuration}, the elements of the last {@code windowDuration} reduced to one with {@code f}
     * (nothing for an empty window).
     */
    public DStream<T> reduceByWindow(Function2<T, T, T> f, Duration windowDuration, Duration slideDuration) {
        return reduce(f).window(windowDuration, slideDuration).reduce(f);
    }

    /**
     * As {@link #reduceByWindow(Function2, Duration, Duration)}, computed incrementally from the previous window
     * with the inverse {@code invF} of {@code f}; once data has arrived, an emptied window gives the inverse's
     * "zero". Needs a checkpoint directory.
     */
    public DStream<T> reduceByWindow(Function2<T, T, T> f, Function2<T, T, T> invF, Duration windowDuration,
                                     Duration slideDuration) {
        return mapToPair(t -> new Pair<>(0, t))
                .reduceByKeyAndWindow(f, invF, windowDuration, slideDuration, 1, null)
                .map(Pair::value);
    }

    /**
     * Every {@code slideDuration}, the number of elements in the last {@code windowDuration}: 0 once the window
     * has emptied, nothing before any data. Needs a checkpoint directory.
     */
    public DStream<Long> countByWindow(Duration windowDuration, Duration slideDuration) {
        return map(t -> 1L).reduceByWindow(Long::sum, (a, b) -> a - b, windowDuration, slideDuration);
    }

    /** Every {@code slideDuration}, each distinct element of the last {@code windowDuration} with its count. */
    public PairDStream<T, Long> countByValueAndWindow(Duration windowDuration, Duration slideDuration) {
        return countByValueAndWindow(windowDuration, slideDuration, ssc.context().defaultParallelism());
    }

    /** As {@link #countByValueAndWindow(Duration, Duration)}; elements whose count fell to 0 are dropped. */
    public PairDStream<T, Long> countByValueAndWindow(Duration windowDuration, Duration slideDuration,
                                                      int numPartitions) {
        return mapToPair(t -> new Pair<>(t, 1L)).reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, windowDuration,
                slideDuration, numPartitions, p -> p.value() != 0L);
    }

    /** The batches whose times lie in [{@code from}, {@code to}], both included, aligned to batch boundaries. */
    public List<Dataset<T>> slice(Time from, Time to) {
        if (zeroTime == null) {
            throw new IllegalStateException(this + " has not been initialized");
        }
        Duration slide = slideDuration();
        Time alignedTo = to;
        if (!isAligned(to)) {
            alignedTo = to.floor(slide, zeroTime);
            LOG.warn("toTime ({}) is not a multiple of slideDuration ({}) after zeroTime ({})", to, Durations.format(slide), zeroTime);
        }
        Time alignedFrom = from;
        if (!isAligned(from)) {
            alignedFrom = from.floor(slide, zeroTime);
            LOG.warn("fromTime ({}) is not a multiple of slideDuration ({}) after zeroTime ({})", from, Durations.format(slide), zeroTime);
        }
        if (alignedFrom.equals(from) && alignedTo.equals(to)) {
            LOG.debug("Slicing from {} to {}", from, to); // every window does this every batch
        } else {
            LOG.info("Slicing from {} to {} (aligned to {} and {})", from, to, alignedFrom, alignedTo);
        }
        var result = new ArrayList<Dataset<T>>();
        for (Time t = alignedFrom; !t.isAfter(alignedTo); t = t.plus(slide)) {
            if (t.isAfter(zeroTime)) {
                getOrCompute(t).ifPresent(result::add);
            }
        }
        return result;
    }

    private boolean isAligned(Time t) {
        return (t.milliseconds() - zeroTime.milliseconds()) % slideDuration().toMillis() == 0;
    }

    // ================================================================ persistence and checkpointing

    public DStream<T> persist(StorageLevel level) {
        ssc.assertCanAddStreams();
        this.storageLevel = level;
        return this;
    }

    public DStream<T> cache() {
        return persist(StorageLevel.MEMORY_ONLY_SER);
    }

    /** Sets how often this stream's state is checkpointed; must be a multiple of its slide duration. */
    public DStream<T> checkpoint(Duration interval) {
        ssc.assertCanAddStreams();
        this.checkpointDuration = interval;
        return this;
    }

    /** Names this stream (shown in logs and the UI; pins the operator id of stateful operations). */
    public DStream<T> name(String name) {
        this.name = name;
        return this;
    }

    /**
     * Pins the stable id of a stateful operation, by which its saved state is found again after a restart or an
     * upgrade of the application (the same as {@link #name}).
     */
    public DStream<T> uid(String uid) {
        return name(uid);
    }

    // ================================================================ output operations

    /** Prints the first ten elements of every batch under a header with the batch time. */
    public void print() {
        print(10);
    }

    /** Prints the first {@code num} elements of every batch, followed by "..." if there are more. */
    public void print(int num) {
        new ForEachDStream<T>(this, "print", (ds, time) -> {
            List<T> first = ds.take(num + 1);
            var sb = new StringBuilder();
            sb.append("-------------------------------------------\n");
            sb.append("Time: ").append(time).append('\n');
            sb.append("-------------------------------------------\n");
            for (int i = 0; i < Math.min(num, first.size()); i++) {
                sb.append(first.get(i)).append('\n');
            }
            if (first.size() > num) {
                sb.append("...\n");
            }
            sb.append('\n');
            System.out.print(sb);
            System.out.flush();
        }).register();
    }

    /** Runs {@code f} on the driver with every batch's dataset. */
    public void foreachRDD(VoidFunction<Dataset<T>> f) {
        foreachRDD((ds, time) -> f.call(ds));
    }

    /** Runs {@code f} on the driver with every batch's dataset and batch time. */
    public void foreachRDD(VoidFunction2<Dataset<T>, Time> f) {
        new ForEachDStream<>(this, "foreachRDD", f).register();
    }

    /** Writes every batch as text to directory {@code prefix-<timeMs>[.suffix]} on a Hadoop file system. */
    public void saveAsTextFiles(String prefix, String suffix) {
        new ForEachDStream<T>(this, "saveAsTextFiles",
                (ds, time) -> ds.saveAsTextFile(outputPath(prefix, suffix, time))).register();
    }

    public void saveAsTextFiles(String prefix) {
        saveAsTextFiles(prefix, null);
    }

    /** Writes every batch as serialized objects to directory {@code prefix-<timeMs>[.suffix]}. */
    public void saveAsObjectFiles(String prefix, String suffix) {
        new ForEachDStream<T>(this, "saveAsObjectFiles",
                (ds, time) -> ds.saveAsObjectFile(outputPath(prefix, suffix, time))).register();
    }

    public void saveAsObjectFiles(String prefix) {
        saveAsObjectFiles(prefix, null);
    }

    static String outputPath(String prefix, String suffix, Time time) {
        String base = prefix + "-" + time.milliseconds();
        return suffix == null || suffix.isEmpty() ? base : base + "." + suffix;
    }

    // ================================================================ engine internals

    /** The interval at which this stream produces datasets. */
    public abstract Duration slideDuration();

    /** The streams this one is computed from. */
    public abstract List<DStream<?>> dependencies();

    /** Produces the dataset for batch time {@code time}, or empty if this stream has no data at all then. */
    protected abstract Optional<Dataset<T>> compute(Time time);

    public final StreamingContext context() {
        return ssc;
    }

    public final int id() {
        return id;
    }

    public String opName() {
        return opName;
    }

    /** The user-given name, if any. */
    public Optional<String> userName() {
        return Optional.ofNullable(name);
    }

    public Time zeroTime() {
        return zeroTime;
    }

    public Duration rememberDuration() {
        return rememberDuration;
    }

    public Duration checkpointDuration() {
        return checkpointDuration;
    }

    public StorageLevel storageLevel() {
        return storageLevel;
    }

    /** Records a user function of this stream so that start() can check it is serializable. */
    protected final void addClosure(String operation, Object function) {
        if (function != null) {
            closures.add(new Closure(operation, function));
        }
    }

    public List<Closure> closures() {
        return List.copyOf(closures);
    }

    /** True for streams whose state must be checkpointed (they need a checkpoint directory). */
    public boolean mustCheckpoint() {
        return false;
    }

    /** How much history the parents must keep for this stream (windows need more than their own). */
    protected Duration parentRememberDuration() {
        return rememberDuration;
    }

    /** Sets the zero time of this stream and its ancestors. */
    public void initialize(Time zero) {
        if (zeroTime != null && !zeroTime.equals(zero)) {
            throw new IllegalStateException("ZeroTime is already initialized to " + zeroTime
                    + ", cannot initialize it again to " + zero);
        }
        zeroTime = zero;
        if (mustCheckpoint() && checkpointDuration == null) {
            // the first multiple of the slide that is at least 10 seconds
            long slide = slideDuration().toMillis();
            checkpointDuration = Duration.ofMillis(slide * (long) Math.ceil(10_000.0 / slide));
        }
        if (rememberDuration == null || rememberDuration.compareTo(slideDuration()) < 0) {
            rememberDuration = slideDuration();
        }
        for (DStream<?> d : dependencies()) {
            d.initialize(zero);
        }
    }

    /** Makes this stream keep its datasets for at least {@code duration}, and its parents as long as it needs. */
    public void remember(Duration duration) {
        if (duration != null && (rememberDuration == null || duration.compareTo(rememberDuration) > 0)) {
            rememberDuration = duration;
        }
        for (DStream<?> d : dependencies()) {
            d.remember(parentRememberDuration());
        }
    }

    /** Start-time checks, with the messages Spark Streaming users know. */
    public void validateAtStart() {
        if (checkpointDuration != null) {
            long cp = checkpointDuration.toMillis();
            long slide = slideDuration().toMillis();
            String name = getClass().getSimpleName();
            if (cp < slide) {
                throw new IllegalArgumentException("requirement failed: The checkpoint interval for " + name
                        + " has been set to " + cp + " ms which is lower than its slide time (" + slide
                        + " ms). Please set it to at least " + slide + " ms.");
            }
            if (cp % slide != 0) {
                throw new IllegalArgumentException("requirement failed: The checkpoint interval for " + name
                        + " has been set to " + cp + " ms which not a multiple of its slide time (" + slide
                        + " ms). Please set it to a multiple of " + slide + " ms.");
            }
        }
        for (DStream<?> d : dependencies()) {
            d.validateAtStart();
        }
    }

    /** True if {@code time} is after the zero time and a whole number of slides from it. */
    protected boolean isTimeValid(Time time) {
        if (zeroTime == null) {
            throw new IllegalStateException(this + " has not been initialized");
        }
        return time.isAfter(zeroTime) && isAligned(time);
    }

    /** The dataset for {@code time}: cached if generated before, else computed (and persisted if asked). */
    public final synchronized Optional<Dataset<T>> getOrCompute(Time time) {
        Dataset<T> existing = generated.get(time);
        if (existing != null) {
            return Optional.of(existing);
        }
        if (!isTimeValid(time)) {
            return Optional.empty();
        }
        Optional<Dataset<T>> computed = compute(time);
        computed.ifPresent(ds -> {
            if (storageLevel != StorageLevel.NONE) {
                ds.persist(storageLevel);
            }
            generated.put(time, ds);
        });
        return computed;
    }

    /** Forgets datasets older than the remember duration, unpersisting them. */
    public void clearMetadata(Time time) {
        boolean unpersist = ssc.conf().get(io.sluice.conf.SluiceConf.UNPERSIST);
        long cutoff = time.milliseconds() - rememberDuration.toMillis();
        var old = new TreeMap<Time, Dataset<T>>();
        generated.forEach((t, ds) -> {
            if (t.milliseconds() <= cutoff) {
                old.put(t, ds);
            }
        });
        for (var e : old.entrySet()) {
            generated.remove(e.getKey());
            if (unpersist && e.getValue().getStorageLevel() != StorageLevel.NONE) {
                e.getValue().unpersist();
            }
            onClear(e.getKey(), e.getValue());
        }
        for (DStream<?> d : dependencies()) {
            d.clearMetadata(time);
        }
    }

    /** Hook for streams that hold resources per batch (received blocks, state). */
    protected void onClear(Time time, Dataset<T> dataset) {
    }

    /** The dataset generated for {@code time}, if it is still remembered; never computes one. */
    public final Optional<Dataset<T>> generatedDataset(Time time) {
        return Optional.ofNullable(generated.get(time));
    }

    /** The datasets currently remembered, in no particular order; never blocks on generation. */
    protected final List<Dataset<T>> generatedDatasets() {
        return new ArrayList<>(generated.values());
    }

    /** The times currently remembered, for tests and the UI. */
    public List<Time> generatedTimes() {
        return new ArrayList<>(new TreeMap<>(generated).keySet());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + " " + opName + (name == null ? "" : " '" + name + "'") + "]";
    }
}
