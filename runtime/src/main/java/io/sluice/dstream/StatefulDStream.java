package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Partitioner;
import io.sluice.state.InMemoryStateStore;
import io.sluice.state.StateDataset;
import io.sluice.state.StatefulStream;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A stream of keyed state: each batch's dataset is the state after that batch, kept in a {@link InMemoryStateStore}
 * and updated by the tasks of the batch's jobs (see {@link StateDataset}). Subclasses say which inputs a batch reads
 * and how they change a partition of the state.
 *
 * <p>State is updated lazily, by the first job that reads a partition. When output operations read only some
 * partitions (as {@code print()} does through {@code take}), the other partitions' pending versions would pile up
 * in the lineage; once more versions than fit in the checkpoint interval are pending, the stream writes them all
 * with a job at batch generation — the point where Spark would checkpoint the state.
 */
public abstract class StatefulDStream<K, S> extends DStream<Pair<K, S>> implements StatefulStream {
    private static final Logger LOG = LogManager.getLogger(StatefulDStream.class);

    private final Partitioner partitioner;
    private transient InMemoryStateStore<K, S> store;

    /** What one batch's update reads, and how it changes one partition of the state. */
    protected record Step<K, S>(List<Dataset<?>> inputs, StateDataset.PartitionUpdate<K, S> update) {
    }

    protected StatefulDStream(StreamingContext ssc, String opName, Partitioner partitioner) {
        super(ssc, opName);
        this.partitioner = partitioner;
    }

    /** The update of batch {@code time}; {@code first} for the first batch, which starts from the initial state. */
    protected abstract Step<K, S> step(Time time, boolean first);

    /** Whether the store must index keys by their last update, to find idle keys cheaply. */
    protected boolean tracksIdleKeys() {
        return false;
    }

    public Partitioner partitioner() {
        return partitioner;
    }

    @Override
    public String operatorId() {
        return userName().orElse(opName() + "-" + id());
    }

    @Override
    public InMemoryStateStore<K, S> stateStore() {
        if (store == null) {
            throw new IllegalStateException(this + " has not been initialized");
        }
        return store;
    }

    @Override
    public boolean mustCheckpoint() {
        return true;
    }

    @Override
    public void initialize(Time zero) {
        super.initialize(zero);
        if (store == null) {
            store = new InMemoryStateStore<>(operatorId(), partitioner.numPartitions(), zero, tracksIdleKeys());
        }
        // tasks find the store by operator id in their environment
        context().context().stateRegistry().register(store);
    }

    @Override
    public void validateAtStart() {
        String id = operatorId();
        for (DStream<?> s : context().graph().allStreams()) {
            if (s != this && s instanceof StatefulStream other && other.operatorId().equals(id)) {
                throw new IllegalArgumentException("Two stateful operations have the operator id '" + id + "' (" + this
                        + " and " + s + "): give them different names with name(...)");
            }
        }
        super.validateAtStart();
    }

    @Override
    protected final Optional<Dataset<Pair<K, S>>> compute(Time time) {
        Time base = time.minus(slideDuration());
        boolean first = !base.isAfter(zeroTime());
        StateDataset<K, S> previous = null;
        if (first) {
            base = zeroTime();
        } else if (!store.isCommitted(base)) {
            Dataset<Pair<K, S>> prev = getOrCompute(base).orElseThrow(() -> new IllegalStateException(
                    "No state dataset for " + this + " at the previous batch"));
            if (!(prev instanceof StateDataset<K, S> p)) {
                throw new IllegalStateException("The state dataset of " + this + " at the previous batch is " + prev);
            }
            previous = p;
        }
        Step<K, S> step = step(time, first);
        var ds = new StateDataset<>(context().context(), opName(), store, partitioner, base, time, step.inputs(),
                step.update(), previous);
        if (previous != null && ds.pendingVersions() >= maxPendingVersions()) {
            LOG.info("{}: {} state versions up to {} have unwritten partitions; writing them now", this,
                    ds.pendingVersions(), base);
            try {
                previous.materializeAll();
            } catch (RuntimeException e) {
                // the batch's own jobs will meet (and report) the same problem when they need those partitions
                LOG.warn("{}: could not write the pending state versions up to {}", this, base, e);
            }
        }
        return Optional.of(ds);
    }

    private int maxPendingVersions() {
        long slide = slideDuration().toMillis();
        return (int) Math.max(1, checkpointDuration().toMillis() / slide);
    }

    @Override
    protected void onClear(Time time, Dataset<Pair<K, S>> dataset) {
        store.forgetUpTo(time);
    }
}
