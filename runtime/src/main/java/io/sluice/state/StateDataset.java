package io.sluice.state;

import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.Partitioner;
import io.sluice.batch.SluiceContext;
import io.sluice.batch.TaskContext;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * One version (batch) of an operator's state as a dataset: partition i holds the entries of state partition i at
 * that batch time. Computing a partition first makes sure its version is in the {@link StateStore}: if not, the
 * partition's update runs on top of the previous version (materializing that one first if needed), reading this
 * batch's inputs, which are partitioned like the state. The state is thus updated inside the tasks of the batch's
 * jobs, once per version, and the lineage holds the previous version only until all of its partitions are in the
 * store — so it does not grow with the number of batches.
 *
 * <p>Tasks find the store by operator id in their environment ({@link StateStores}), so the process that runs a task
 * decides where the state partition lives; the store given to the constructor only names the operator and its
 * partition count, and is not kept.
 */
public final class StateDataset<K, S> extends Dataset<Pair<K, S>> {
    private final String operatorId;
    private final int numPartitions;
    private final Partitioner partitioner;
    private final Time base;
    private final Time version;
    private final List<Dataset<?>> inputs;
    private final PartitionUpdate<K, S> update;
    private final BitSet materialized = new BitSet();
    private volatile StateDataset<K, S> previous;

    /** How one partition of the new version is made from the previous one and this batch's inputs. */
    @FunctionalInterface
    public interface PartitionUpdate<K, S> extends Serializable {
        void apply(StateTransaction<K, S> tx, int partition, TaskContext ctx) throws Exception;
    }

    /**
     * @param base     the version this one is written on top of (the store's initial version for the first batch)
     * @param inputs   the datasets {@code update} reads, partitioned like the state
     * @param previous the dataset of version {@code base}, if some of its partitions may not be in the store yet
     */
    public StateDataset(SluiceContext sc, String opName, StateStore<K, S> store, Partitioner partitioner, Time base,
                        Time version, List<Dataset<?>> inputs, PartitionUpdate<K, S> update,
                        StateDataset<K, S> previous) {
        super(sc, opName);
        if (partitioner.numPartitions() != store.numPartitions()) {
            throw new IllegalArgumentException("The state of '" + store.operatorId() + "' has " + store.numPartitions()
                    + " partitions but its partitioner has " + partitioner.numPartitions());
        }
        for (Dataset<?> in : inputs) {
            if (in.numPartitions() != store.numPartitions()) {
                throw new IllegalArgumentException("Input " + in + " of the state of '" + store.operatorId() + "' has "
                        + in.numPartitions() + " partitions, the state has " + store.numPartitions());
            }
        }
        this.operatorId = store.operatorId();
        this.numPartitions = store.numPartitions();
        this.partitioner = partitioner;
        this.base = base;
        this.version = version;
        this.inputs = List.copyOf(inputs);
        this.update = update;
        this.previous = previous == null || previous.isComplete() ? null : previous;
    }

    public Time version() {
        return version;
    }

    /** The id of the operator whose state this is. */
    public String operatorId() {
        return operatorId;
    }

    @Override
    public int numPartitions() {
        return numPartitions;
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
        if (prev != null) {
            deps.add(new Dependency.Narrow(prev));
        }
        return deps;
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super Pair<K, S>> out) {
        materialize(partition, ctx);
        ctx.env().stateStores().<K, S>store(operatorId)
                .snapshot(partition, version, (k, e) -> out.accept(new Pair<>(k, e.value())));
    }

    /** Makes sure this version of {@code partition} is in the store, writing it (and missing ancestors) if not. */
    public void materialize(int partition, TaskContext ctx) {
        if (isMaterialized(partition)) {
            return;
        }
        StateStore<K, S> store = ctx.env().stateStores().store(operatorId);
        if (store.latestVersion(partition).isBefore(version)) {
            StateDataset<K, S> prev = previous;
            if (prev != null) {
                prev.materialize(partition, ctx);
            }
            store.commitVersion(partition, base, version, tx -> update.apply(tx, partition, ctx));
        }
        markMaterialized(partition);
    }

    /** Writes every partition of this version that is not in the store yet, with a job. */
    public void materializeAll() {
        context().runJob(this, "materialize state of '" + operatorId + "' at " + version, (p, ctx) -> {
            materialize(p, ctx);
            return null;
        });
    }

    /** True once every partition of this version is in the store. */
    public synchronized boolean isComplete() {
        return materialized.cardinality() == numPartitions;
    }

    /** How many versions before this one still have partitions missing from the store. */
    public int pendingVersions() {
        int n = 0;
        for (StateDataset<K, S> s = previous; s != null && !s.isComplete(); s = s.previous) {
            n++;
        }
        return n;
    }

    private synchronized boolean isMaterialized(int partition) {
        return materialized.get(partition);
    }

    private void markMaterialized(int partition) {
        boolean complete;
        synchronized (this) {
            materialized.set(partition);
            complete = materialized.cardinality() == numPartitions;
        }
        if (complete) {
            // every partition is in the store: the previous version's lineage is no longer needed
            previous = null;
        }
    }
}
