package io.sluice.state;

import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.Partitioner;
import io.sluice.batch.SluiceContext;
import io.sluice.batch.TaskContext;
import io.sluice.batch.TaskLocality;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One version (batch) of an operator's state as a dataset: partition i holds the entries of state partition i at
 * that batch time. Computing a partition first makes sure its version is in the {@link StateStore} of the process
 * running the task: if not, the partition's update runs on top of the previous version (materializing that one
 * first if needed), reading this batch's inputs, which are partitioned like the state. The state is thus updated
 * inside the tasks of the batch's jobs, once per version.
 *
 * <p>Tasks find the store in their environment ({@link StateStores}) from the {@link StoreSpec}; partition i of
 * every operator lives in the process hosting state slot i, so tasks touching it must run there
 * ({@link #locality}).
 *
 * <p>Lineage: with {@code keepLineage} false (state in the driver, which is never lost) the previous version is
 * dropped as soon as all its partitions are in the store, so lineage does not grow with the number of batches.
 * With {@code keepLineage} (state on executors, which can be lost) the chain of versions is kept back to the last
 * version saved to the checkpoint directory ({@link #cutLineageAt}); a process that takes over a partition restores
 * that saved version and replays the versions after it from their inputs. The driver's record of which partitions
 * are materialized only decides whether the chain counts as a dependency (so the missing inputs of a replay are
 * recomputed); it does not travel with tasks, where the store itself says what is there.
 */
public final class StateDataset<K, S> extends Dataset<Pair<K, S>> {
    private static final Logger LOG = LogManager.getLogger(StateDataset.class);
    private final StoreSpec spec;
    private final Partitioner partitioner;
    private final Time base;
    private final Time version;
    private final List<Dataset<?>> inputs;
    private final PartitionUpdate<K, S> update;
    private final boolean keepLineage;
    private transient BitSet materialized;
    private volatile StateDataset<K, S> previous;
    /** The saved copy of version {@code base} to start from when the chain before it is gone; null if none. */
    private volatile String baseSnapshot;

    /** How one partition of the new version is made from the previous one and this batch's inputs. */
    @FunctionalInterface
    public interface PartitionUpdate<K, S> extends Serializable {
        void apply(StateTransaction<K, S> tx, int partition, TaskContext ctx) throws Exception;
    }

    /**
     * @param base         the version this one is written on top of (the store's initial version for the first batch)
     * @param inputs       the datasets {@code update} reads, partitioned like the state
     * @param previous     the dataset of version {@code base}, if the chain of versions must be kept
     * @param baseSnapshot the directory of the saved copy of version {@code base}, when {@code previous} is null and
     *                     {@code base} is not the initial version; may be null in local mode
     * @param keepLineage  whether to keep {@code previous} until {@link #cutLineageAt} (state on executors)
     */
    public StateDataset(SluiceContext sc, String opName, StoreSpec spec, Partitioner partitioner, Time base,
                        Time version, List<Dataset<?>> inputs, PartitionUpdate<K, S> update,
                        StateDataset<K, S> previous, String baseSnapshot, boolean keepLineage) {
        super(sc, opName);
        if (partitioner.numPartitions() != spec.numPartitions()) {
            throw new IllegalArgumentException("The state of '" + spec.operatorId() + "' has " + spec.numPartitions()
                    + " partitions but its partitioner has " + partitioner.numPartitions());
        }
        for (Dataset<?> in : inputs) {
            if (in.numPartitions() != spec.numPartitions()) {
                throw new IllegalArgumentException("Input " + in + " of the state of '" + spec.operatorId() + "' has "
                        + in.numPartitions() + " partitions, the state has " + spec.numPartitions());
            }
        }
        this.spec = spec;
        this.partitioner = partitioner;
        this.base = base;
        this.version = version;
        this.inputs = List.copyOf(inputs);
        this.update = update;
        this.keepLineage = keepLineage;
        this.materialized = new BitSet();
        this.previous = previous == null || (!keepLineage && previous.isComplete()) ? null : previous;
        this.baseSnapshot = baseSnapshot;
    }

    public Time version() {
        return version;
    }

    /** The version this one is written on top of. */
    public Time base() {
        return base;
    }

    /** The id of the operator whose state this is. */
    public String operatorId() {
        return spec.operatorId();
    }

    public StoreSpec spec() {
        return spec;
    }

    @Override
    public int numPartitions() {
        return spec.numPartitions();
    }

    @Override
    public Partitioner partitioner() {
        return partitioner;
    }

    @Override
    public List<Dependency> dependencies() {
        var deps = new ArrayList<Dependency>(inputs.size() + 1);
        for (Dataset<?> in : inputs) {
            deps.add(new Dependency.Narrow(in));
        }
        StateDataset<K, S> prev = previous;
        if (prev != null && !prev.isComplete()) {
            deps.add(new Dependency.Narrow(prev));
        }
        return deps;
    }

    /** Partition i lives where state slot i is hosted. */
    @Override
    public TaskLocality locality(int partition) {
        return TaskLocality.stateSlot(partition);
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super Pair<K, S>> out) {
        materialize(partition, ctx);
        readVersion(partition, ctx, (k, e) -> out.accept(new Pair<>(k, e.value())));
    }

    /**
     * Visits the entries of this version of {@code partition}, which {@link #materialize} wrote. Should the store no
     * longer hold this version (a reader later than the store's forgetting, or than a restore of a newer saved copy
     * on a new host), it is rebuilt aside from this dataset's lineage, leaving the store as it is: the newer versions
     * there are what pending batches read.
     */
    public void readVersion(int partition, TaskContext ctx, java.util.function.BiConsumer<? super K,
            ? super StateEntry<S>> visitor) {
        StateStore<K, S> store = ctx.env().stateStores().store(spec);
        try {
            store.snapshot(partition, version, visitor);
        } catch (StateVersionNotRetainedException e) {
            if (!keepLineage) {
                throw e;
            }
            LOG.warn("{}; rebuilding it aside from the last saved version and the batches since", e.getMessage());
            StateStore<K, S> aside = spec.newStore();
            writeInto(aside, partition, ctx);
            aside.snapshot(partition, version, visitor);
        }
    }

    /** Makes sure this version of {@code partition} is in the store, writing it (and missing ancestors) if not. */
    public void materialize(int partition, TaskContext ctx) {
        if (isMaterialized(partition)) {
            return;
        }
        writeInto(ctx.env().stateStores().store(spec), partition, ctx);
        markMaterialized(partition);
    }

    /** Writes this version of {@code partition} into {@code store} if it is behind, and the ancestors it lacks. */
    private void writeInto(StateStore<K, S> store, int partition, TaskContext ctx) {
        if (store.latestVersion(partition).isBefore(version)) {
            StateDataset<K, S> prev = previous;
            if (prev != null) {
                prev.writeInto(store, partition, ctx);
            } else if (store.latestVersion(partition).isBefore(base)) {
                restoreBase(store, partition, ctx);
            }
            store.commitVersion(partition, base, version, tx -> update.apply(tx, partition, ctx));
        }
    }

    private void restoreBase(StateStore<K, S> store, int partition, TaskContext ctx) {
        String saved = baseSnapshot;
        if (saved == null) {
            throw new IllegalStateException("Partition " + partition + " of the state of '" + spec.operatorId()
                    + "' at " + base + " is not in this process (" + store.latestVersion(partition) + " is its latest "
                    + "version here) and there is neither a saved copy of it nor the lineage to recompute it");
        }
        Path dir = new Path(saved);
        Path file = StateSnapshots.partitionFile(dir, partition);
        store.restoreIfBehind(partition, base, () -> {
            try {
                FileSystem fs = dir.getFileSystem(ctx.env().hadoopConf());
                Map<K, StateEntry<S>> entries =
                        StateSnapshotFile.read(fs, file, spec.operatorId(), partition, base, ctx.env().serializer());
                LOG.info("Restored partition {} of the state of '{}' at {} ({} keys) from {}", partition,
                        spec.operatorId(), base, entries.size(), file);
                return entries;
            } catch (IOException e) {
                throw new StateRestoreException("Cannot restore partition " + partition + " of the state of '"
                        + spec.operatorId() + "' at " + base + " from " + file + ": " + e.getMessage(), spec.key(),
                        partition, base, saved, e);
            }
        });
    }

    /** Writes every partition of this version that is not in the store yet, with a job. */
    public void materializeAll() {
        context().runJob(this, "materialize state of '" + spec.operatorId() + "' at " + version, (p, ctx) -> {
            materialize(p, ctx);
            return null;
        });
    }

    /**
     * Version {@code saved} was saved to {@code dir}: if this dataset is written on top of it, it no longer needs
     * the versions before (a process taking a partition over restores the saved copy instead).
     */
    public void cutLineageAt(Time saved, String dir) {
        if (base.equals(saved)) {
            baseSnapshot = dir;
            previous = null;
        }
    }

    /** The dataset at the start of this version's lineage: the one written on a saved copy or the initial state. */
    public StateDataset<K, S> lineageRoot() {
        StateDataset<K, S> s = this;
        for (StateDataset<K, S> p = s.previous; p != null; p = p.previous) {
            s = p;
        }
        return s;
    }

    /** The directory of the saved copy of {@link #base} this version starts from when its lineage ends here. */
    public String baseSnapshot() {
        return baseSnapshot;
    }

    /**
     * The saved copy of {@link #base} this dataset starts from cannot be read: start from {@code lineage} (the
     * dataset of version {@code base}, whose own lineage reaches an older saved copy) instead.
     */
    public void fallBackTo(StateDataset<K, S> lineage) {
        if (lineage == this || !lineage.version.equals(base)) {
            throw new IllegalArgumentException("The state of '" + spec.operatorId() + "' at " + version
                    + " is written on top of " + base + ", not on top of " + lineage.version);
        }
        previous = lineage;
        baseSnapshot = null;
    }

    /**
     * A task computed {@code partition} of a dataset reading this one: this version of it, and every earlier one,
     * is in its host's store now (the driver learns it this way when tasks run elsewhere).
     */
    @Override
    public void markComputed(int partition) {
        for (StateDataset<K, S> s = this; s != null; s = s.previous) {
            if (s.isMaterialized(partition)) {
                return;
            }
            s.markMaterialized(partition);
        }
    }

    /**
     * The partitions of {@code slots} were lost with their process: they must be written again when read, in this
     * version and in every earlier one of its lineage (which may reach further back than the stream remembers when
     * saves lag behind).
     */
    public void forgetPartitions(Set<Integer> slots) {
        for (StateDataset<K, S> s = this; s != null; s = s.previous) {
            synchronized (s) {
                for (int slot : slots) {
                    if (slot < spec.numPartitions()) {
                        s.bits().clear(slot);
                    }
                }
            }
        }
    }

    /** True once every partition of this version is in the store. */
    public synchronized boolean isComplete() {
        return bits().cardinality() == spec.numPartitions();
    }

    /** How many versions before this one still have partitions missing from the store. */
    public int pendingVersions() {
        int n = 0;
        for (StateDataset<K, S> s = previous; s != null && !s.isComplete(); s = s.previous) {
            n++;
        }
        return n;
    }

    /** How many earlier versions this one keeps in its lineage; for tests and diagnostics. */
    public int lineageLength() {
        int n = 0;
        for (StateDataset<K, S> s = previous; s != null; s = s.previous) {
            n++;
        }
        return n;
    }

    private synchronized BitSet bits() {
        if (materialized == null) {
            materialized = new BitSet(); // deserialized in a task: the store, not the driver's record, decides
        }
        return materialized;
    }

    private synchronized boolean isMaterialized(int partition) {
        return bits().get(partition);
    }

    private void markMaterialized(int partition) {
        boolean complete;
        synchronized (this) {
            BitSet b = bits();
            b.set(partition);
            complete = b.cardinality() == spec.numPartitions();
        }
        if (complete && !keepLineage) {
            // every partition is in the store, which is never lost: the previous version's lineage is not needed
            previous = null;
        }
    }
}
