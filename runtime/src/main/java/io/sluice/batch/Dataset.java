package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.api.function.FlatMapFunction;
import io.sluice.api.function.Function;
import io.sluice.api.function.Function2;
import io.sluice.api.function.PairFlatMapFunction;
import io.sluice.api.function.PairFunction;
import io.sluice.api.function.VoidFunction;
import io.sluice.storage.StorageLevel;
import io.sluice.util.Sneaky;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;

/**
 * One batch's data: an immutable, partitioned collection computed lazily from its lineage (Spark's RDD).
 * Transformations return new datasets; actions ({@link #collect()}, {@link #count()}, {@link #foreach}, ...) run a
 * job. Narrow transformations are fused into a single pass over each partition; shuffles split stages.
 */
public abstract class Dataset<T> implements Serializable {
    private final transient SluiceContext sc;
    private final int id;
    private final String opName;
    private volatile StorageLevel storageLevel = StorageLevel.NONE;

    protected Dataset(SluiceContext sc, String opName) {
        this.sc = sc;
        this.id = sc.newDatasetId();
        this.opName = opName;
    }

    // ---------------------------------------------------------------- structure

    /**
     * The driver's context that created this dataset, for creating datasets and running jobs. Only the driver has
     * one: on an executor (a deserialized task) this throws, so a dataset operation used inside a task fails with a
     * message saying so rather than a null pointer.
     */
    public final SluiceContext context() {
        if (sc == null) {
            throw new IllegalStateException(describe() + " was used without its driver context: dataset "
                    + "transformations and actions (and persist, unpersist, lineage output) can only be invoked on "
                    + "the driver, not inside a task running on an executor");
        }
        return sc;
    }

    public final int id() {
        return id;
    }

    /** The operation that created this dataset, shown in lineage. */
    public String opName() {
        return opName;
    }

    public abstract int numPartitions();

    public abstract List<Dependency> dependencies();

    /** How this dataset's keys are partitioned, if known (results of shuffles, and narrow ops that keep keys). */
    public Partitioner partitioner() {
        return null;
    }

    /**
     * Where a task computing {@code partition} should run (driver only). By default what the narrow parents of
     * the same shape want for the same partition; datasets that read their parents' partitions differently, or
     * whose data lives somewhere (received blocks, state), override it.
     */
    public TaskLocality locality(int partition) {
        TaskLocality result = TaskLocality.ANY;
        for (Dependency d : dependencies()) {
            if (d instanceof Dependency.Narrow n && n.parent().numPartitions() == numPartitions()) {
                result = result.and(n.parent().locality(partition));
            }
        }
        return result;
    }

    /**
     * A task computed {@code partition} of this dataset (driver only): datasets that keep a record of what their
     * partitions left behind in the processes running them (state versions) update it. By default passed on to the
     * narrow parents of the same shape, for the same partition.
     */
    public void markComputed(int partition) {
        for (Dependency d : dependencies()) {
            if (d instanceof Dependency.Narrow n && n.parent().numPartitions() == numPartitions()) {
                n.parent().markComputed(partition);
            }
        }
    }

    /** Computes one partition, pushing its elements into {@code out} in order. */
    protected abstract void compute(int partition, TaskContext ctx, Consumer<? super T> out);

    /**
     * Engine-internal: a partition's elements, read from the block store of the task's environment when persisted
     * (computed and stored there first if absent).
     */
    public final void iterate(int partition, TaskContext ctx, Consumer<? super T> out) {
        // compared by value, not identity: a deserialized dataset (on an executor) has its own StorageLevel instance
        if (!storageLevel.isValid()) {
            compute(partition, ctx, out);
            return;
        }
        List<T> cached = ctx.env().blockStore().getOrCompute(blockId(partition), storageLevel, () -> {
            var list = new ArrayList<T>();
            compute(partition, ctx, list::add);
            return list;
        });
        for (int i = 0, n = cached.size(); i < n; i++) {
            out.accept(cached.get(i));
        }
    }

    private String blockId(int partition) {
        return "rdd_" + id + "_" + partition;
    }

    // ---------------------------------------------------------------- narrow transformations

    public <R> Dataset<R> map(Function<? super T, ? extends R> f) {
        return new PipedDataset<T, R>(this, "map", false, out -> t -> {
            try {
                out.accept(f.call(t));
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        });
    }

    public Dataset<T> filter(Function<? super T, Boolean> f) {
        return new PipedDataset<T, T>(this, "filter", true, out -> t -> {
            try {
                if (f.call(t)) {
                    out.accept(t);
                }
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        });
    }

    public <R> Dataset<R> flatMap(FlatMapFunction<? super T, R> f) {
        return new PipedDataset<T, R>(this, "flatMap", false, out -> t -> {
            try {
                Iterator<R> it = f.call(t);
                while (it.hasNext()) {
                    out.accept(it.next());
                }
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        });
    }

    public <K, V> PairDataset<K, V> mapToPair(PairFunction<? super T, K, V> f) {
        return new PairDataset<>(new PipedDataset<T, Pair<K, V>>(this, "mapToPair", false, out -> t -> {
            try {
                out.accept(f.call(t));
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        }));
    }

    public <K, V> PairDataset<K, V> flatMapToPair(PairFlatMapFunction<? super T, K, V> f) {
        return new PairDataset<>(new PipedDataset<T, Pair<K, V>>(this, "flatMapToPair", false, out -> t -> {
            try {
                Iterator<Pair<K, V>> it = f.call(t);
                while (it.hasNext()) {
                    out.accept(it.next());
                }
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        }));
    }

    public <K> PairDataset<K, T> keyBy(Function<? super T, K> f) {
        return mapToPair(t -> new Pair<>(f.call(t), t));
    }

    /** Applies {@code f} to each partition's elements as a whole (per-partition setup such as connections). */
    public <R> Dataset<R> mapPartitions(FlatMapFunction<Iterator<T>, R> f) {
        return mapPartitions(f, false);
    }

    public <R> Dataset<R> mapPartitions(FlatMapFunction<Iterator<T>, R> f, boolean preservesPartitioning) {
        return mapPartitionsWithIndex((i, it) -> f.call(it), preservesPartitioning);
    }

    public <R> Dataset<R> mapPartitionsWithIndex(Function2<Integer, Iterator<T>, Iterator<R>> f,
                                                 boolean preservesPartitioning) {
        return new PartitionwiseDataset<>(this, "mapPartitions", preservesPartitioning, f);
    }

    /** One list per partition holding that partition's elements. */
    public Dataset<List<T>> glom() {
        return new PartitionwiseDataset<T, List<T>>(this, "glom", false,
                (i, it) -> {
                    var list = new ArrayList<T>();
                    it.forEachRemaining(list::add);
                    return List.<List<T>>of(list).iterator();
                });
    }

    /** The partitions of this dataset followed by those of {@code other}. */
    public Dataset<T> union(Dataset<T> other) {
        return new UnionDataset<>(context(), List.of(this, other));
    }

    /** Exactly {@code numPartitions} partitions through a shuffle that spreads elements evenly. */
    public Dataset<T> repartition(int numPartitions) {
        return new RepartitionedDataset<>(this, numPartitions);
    }

    /** Fewer partitions without a shuffle, by concatenating neighbouring partitions. */
    public Dataset<T> coalesce(int numPartitions) {
        return new CoalescedDataset<>(this, numPartitions);
    }

    public Dataset<T> distinct() {
        return distinct(numPartitions());
    }

    public Dataset<T> distinct(int numPartitions) {
        return mapToPair(t -> new Pair<>(t, Boolean.TRUE)).reduceByKey((a, b) -> a, numPartitions).keys();
    }

    public <K> Dataset<T> sortBy(Function<? super T, K> key, boolean ascending, int numPartitions) {
        return keyBy(key).sortByKey(ascending, numPartitions, naturalOrder()).values();
    }

    // ---------------------------------------------------------------- persistence

    /** Keeps computed partitions in the block store from the first action on. */
    public Dataset<T> persist(StorageLevel level) {
        if (!storageLevel.equals(StorageLevel.NONE) && !storageLevel.equals(level)) {
            throw new UnsupportedOperationException("Cannot change storage level of dataset " + id
                    + " after it was already assigned a level (" + storageLevel + ")");
        }
        if (storageLevel.equals(StorageLevel.NONE)) {
            storageLevel = level;
            context().registerPersisted(this);
        }
        return this;
    }

    public Dataset<T> cache() {
        return persist(StorageLevel.MEMORY_ONLY);
    }

    public Dataset<T> unpersist() {
        storageLevel = StorageLevel.NONE;
        context().removeDatasetBlocks(id);
        return this;
    }

    public StorageLevel getStorageLevel() {
        return storageLevel;
    }

    // ---------------------------------------------------------------- actions

    public List<T> collect() {
        List<List<T>> parts = context().runJob(this, "collect", (p, ctx) -> {
            var list = new ArrayList<T>();
            iterate(p, ctx, list::add);
            return list;
        });
        int total = 0;
        for (var l : parts) {
            total += l.size();
        }
        var all = new ArrayList<T>(total);
        for (var l : parts) {
            all.addAll(l);
        }
        return all;
    }

    public long count() {
        List<Long> counts = context().runJob(this, "count", (p, ctx) -> {
            long[] n = new long[1];
            iterate(p, ctx, t -> n[0]++);
            return n[0];
        });
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /** The first {@code num} elements, reading as few partitions as needed. */
    public List<T> take(int num) {
        var result = new ArrayList<T>(Math.max(0, Math.min(num, 1024)));
        int partitions = numPartitions();
        int next = 0;
        int batch = 1;
        while (result.size() < num && next < partitions) {
            int from = next;
            int to = Math.min(partitions, next + batch);
            int remaining = num - result.size();
            int[] ps = new int[to - from];
            for (int i = 0; i < ps.length; i++) {
                ps[i] = from + i;
            }
            List<List<T>> parts = context().runJob(this, "take", ps, (p, ctx) -> {
                var list = new ArrayList<T>();
                try {
                    iterate(p, ctx, t -> {
                        list.add(t);
                        if (list.size() >= remaining) {
                            throw TakeDone.INSTANCE;
                        }
                    });
                } catch (TakeDone done) {
                    // enough elements from this partition
                }
                return list;
            });
            for (var l : parts) {
                for (T t : l) {
                    if (result.size() < num) {
                        result.add(t);
                    }
                }
            }
            next = to;
            batch *= 4;
        }
        return result;
    }

    public T first() {
        List<T> one = take(1);
        if (one.isEmpty()) {
            throw new UnsupportedOperationException("empty collection");
        }
        return one.get(0);
    }

    public boolean isEmpty() {
        return numPartitions() == 0 || take(1).isEmpty();
    }

    /** Reduces all elements with an associative function; fails with "empty collection" on an empty dataset. */
    public T reduce(Function2<T, T, T> f) {
        List<Object[]> partials = context().runJob(this, "reduce", (p, ctx) -> {
            Object[] acc = new Object[2];
            iterate(p, ctx, t -> {
                try {
                    if (acc[1] == null) {
                        acc[0] = t;
                        acc[1] = Boolean.TRUE;
                    } else {
                        @SuppressWarnings("unchecked") T a = (T) acc[0];
                        acc[0] = f.call(a, t);
                    }
                } catch (Exception e) {
                    throw Sneaky.rethrow(e);
                }
            });
            return acc;
        });
        boolean any = false;
        T result = null;
        try {
            for (Object[] acc : partials) {
                if (acc[1] != null) {
                    @SuppressWarnings("unchecked") T v = (T) acc[0];
                    result = any ? f.call(result, v) : v;
                    any = true;
                }
            }
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (!any) {
            throw new UnsupportedOperationException("empty collection");
        }
        return result;
    }

    public T fold(T zero, Function2<T, T, T> f) {
        return aggregate(zero, f, f);
    }

    /**
     * Folds each partition from {@code zero} with {@code seq}, then merges the partials with {@code comb}, starting
     * again from {@code zero}. Each task gets its own copy of {@code zero}, so it may be a mutable container.
     */
    public <U> U aggregate(U zero, Function2<U, T, U> seq, Function2<U, U, U> comb) {
        // each task, and the driver-side merge, starts from its own copy of zero (it may be mutated)
        var zeroValue = new Copies.Zero<>(zero, "aggregate");
        List<Object> partials = context().runJob(this, "aggregate", (p, ctx) -> {
            Object[] acc = {zeroValue.fresh()};
            iterate(p, ctx, t -> {
                try {
                    @SuppressWarnings("unchecked") U u = (U) acc[0];
                    acc[0] = seq.call(u, t);
                } catch (Exception e) {
                    throw Sneaky.rethrow(e);
                }
            });
            return acc[0];
        });
        U result = zeroValue.fresh();
        try {
            for (Object o : partials) {
                @SuppressWarnings("unchecked") U u = (U) o;
                result = comb.call(result, u);
            }
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        return result;
    }

    public Map<T, Long> countByValue() {
        var counts = new HashMap<T, Long>();
        for (var p : mapToPair(t -> new Pair<>(t, 1L)).reduceByKey(Long::sum).collect()) {
            counts.put(p.key(), p.value());
        }
        return counts;
    }

    public void foreach(VoidFunction<? super T> f) {
        context().runJob(this, "foreach", (p, ctx) -> {
            iterate(p, ctx, t -> {
                try {
                    f.call(t);
                } catch (Exception e) {
                    throw Sneaky.rethrow(e);
                }
            });
            return null;
        });
    }

    public void foreachPartition(VoidFunction<Iterator<T>> f) {
        context().runJob(this, "foreachPartition", (p, ctx) -> {
            var list = new ArrayList<T>();
            iterate(p, ctx, list::add);
            f.call(list.iterator());
            return null;
        });
    }

    /** Writes each element's {@code toString} as a line, one file per partition, under directory {@code path}. */
    public void saveAsTextFile(String path) {
        HadoopOutput.saveAsTextFile(this, path);
    }

    /** Writes elements as serialized objects, one file per partition, under directory {@code path}. */
    public void saveAsObjectFile(String path) {
        HadoopOutput.saveAsObjectFile(this, path);
    }

    // ---------------------------------------------------------------- lineage

    /**
     * The lineage in Spark's layout: this dataset with its partition count, its ancestors below it, each shuffle
     * boundary opening a new level ({@code +-(n)}), storage levels in brackets and, once a persisted dataset is
     * materialised, its {@code CachedPartitions} line. Pair views of a dataset are not shown unless persisted.
     */
    public String toDebugString() {
        Dataset<?> root = shown(this);
        String partitions = "(" + root.numPartitions() + ")";
        int leftOffset = (partitions.length() - 1) / 2;
        String nextPrefix = " ".repeat(leftOffset) + "|" + " ".repeat(partitions.length() - leftOffset);
        var lines = new ArrayList<String>();
        List<String> self = root.debugSelf();
        lines.add(partitions + " " + self.get(0));
        for (int i = 1; i < self.size(); i++) {
            lines.add(nextPrefix + " " + self.get(i));
        }
        debugChildren(root, nextPrefix, lines);
        return String.join("\n", lines);
    }

    private static Dataset<?> shown(Dataset<?> ds) {
        Dataset<?> d = ds;
        while (d instanceof PairDataset<?, ?> && d.storageLevel.equals(StorageLevel.NONE)) {
            d = d.dependencies().get(0).parent();
        }
        return d;
    }

    private List<String> debugSelf() {
        var lines = new ArrayList<String>();
        lines.add(describe() + " [" + (storageLevel.equals(StorageLevel.NONE) ? "" : storageLevel.description()) + "]");
        if (!storageLevel.equals(StorageLevel.NONE)) {
            int cached = context().blockStore().datasetStats(id).partitions();
            if (cached > 0) {
                // the size is estimated from the serialized size of the cached partitions
                lines.add("    CachedPartitions: " + cached + "; MemorySize: " + bytesToString(cachedBytes())
                        + "; ExternalBlockStoreSize: 0.0 B; DiskSize: 0.0 B");
            }
        }
        return lines;
    }

    private static void debugChildren(Dataset<?> ds, String prefix, List<String> lines) {
        List<Dependency> deps = ds.dependencies();
        for (int i = 0; i < deps.size(); i++) {
            Dependency d = deps.get(i);
            Dataset<?> parent = shown(d.parent());
            if (d instanceof ShuffleDependency<?, ?, ?>) {
                shuffleDebugString(parent, prefix, i == deps.size() - 1, lines);
            } else {
                for (String line : parent.debugSelf()) {
                    lines.add(prefix + line);
                }
                debugChildren(parent, prefix, lines);
            }
        }
    }

    private static void shuffleDebugString(Dataset<?> ds, String prefix, boolean isLastChild, List<String> lines) {
        String partitions = "(" + ds.numPartitions() + ")";
        int leftOffset = (partitions.length() - 1) / 2;
        String thisPrefix = prefix.replaceAll("\\|\\s+$", "");
        String nextPrefix = thisPrefix + (isLastChild ? "  " : "| ") + " ".repeat(leftOffset) + "|"
                + " ".repeat(partitions.length() - leftOffset);
        List<String> self = ds.debugSelf();
        lines.add(thisPrefix + "+-" + partitions + " " + self.get(0));
        for (int i = 1; i < self.size(); i++) {
            lines.add(nextPrefix + self.get(i));
        }
        debugChildren(ds, nextPrefix, lines);
    }

    /** The estimated size of this dataset's cached partitions: their serialized size. */
    private long cachedBytes() {
        var counter = new OutputStream() {
            long bytes;

            @Override
            public void write(int b) {
                bytes++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes += len;
            }
        };
        for (int p = 0; p < numPartitions(); p++) {
            List<Object> block = context().blockStore().get(blockId(p));
            if (block == null) {
                continue;
            }
            try (var out = new ObjectOutputStream(counter)) {
                out.writeObject(new ArrayList<>(block));
            } catch (IOException notSerializable) {
                counter.bytes += 16L * block.size(); // a rough per-element estimate for values that cannot be serialized
            }
        }
        return counter.bytes;
    }

    /** Sizes as Spark prints them: {@code 0.0 B}, {@code 512.0 B}, {@code 7.2 MB}. */
    static String bytesToString(long size) {
        long kb = 1L << 10;
        long mb = 1L << 20;
        long gb = 1L << 30;
        long tb = 1L << 40;
        double value;
        String unit;
        if (size >= 2 * tb) {
            value = (double) size / tb;
            unit = "TB";
        } else if (size >= 2 * gb) {
            value = (double) size / gb;
            unit = "GB";
        } else if (size >= 2 * mb) {
            value = (double) size / mb;
            unit = "MB";
        } else if (size >= 2 * kb) {
            value = (double) size / kb;
            unit = "KB";
        } else {
            value = size;
            unit = "B";
        }
        return String.format(Locale.US, "%.1f %s", value, unit);
    }

    private String describe() {
        return getClass().getSimpleName() + "[" + id + "] at " + opName;
    }

    @Override
    public String toString() {
        return describe();
    }

    // ---------------------------------------------------------------- helpers

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <K> Comparator<K> naturalOrder() {
        return (Comparator<K> & Serializable) (a, b) -> ((Comparable) a).compareTo(b);
    }

    /** Thrown inside a take() task to stop reading a partition early; carries no stack trace. */
    private static final class TakeDone extends RuntimeException {
        static final TakeDone INSTANCE = new TakeDone();

        private TakeDone() {
            super(null, null, false, false);
        }
    }

    static List<Dependency> narrow(Dataset<?> parent) {
        return Collections.singletonList(new Dependency.Narrow(parent));
    }

    static NoSuchElementException noElement() {
        return new NoSuchElementException();
    }
}
