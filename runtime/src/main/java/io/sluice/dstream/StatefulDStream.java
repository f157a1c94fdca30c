package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Partitioner;
import io.sluice.state.InMemoryStateStore;
import io.sluice.state.StateDataset;
import io.sluice.state.StateEntry;
import io.sluice.state.StateSnapshotFile;
import io.sluice.state.StateSnapshots;
import io.sluice.state.StateStore;
import io.sluice.state.StatefulStream;
import io.sluice.state.StoreSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A stream of keyed state: each batch's dataset is the state after that batch, kept in the {@link StateStore}s of
 * the processes hosting its partitions (the driver in local mode, executors on a cluster) and updated by the tasks
 * of the batch's jobs (see {@link StateDataset}). Subclasses say which inputs a batch reads and how they change a
 * partition of the state.
 *
 * <p>State is updated lazily, by the first job that reads a partition. When output operations read only some
 * partitions (as {@code print()} does through {@code take}), the other partitions' pending versions would pile up
 * in the lineage; once more versions than fit in the checkpoint interval are pending (twice that with state on
 * executors, where the saves normally bound it), the stream writes them all with a job at batch generation.
 *
 * <p>Every checkpoint interval, {@link #saveState} writes the batch's version to the checkpoint directory. On a
 * cluster, where an executor holding partitions can be lost, each version keeps the chain of versions back to the
 * last saved one, and the stream and its parents remember twice the checkpoint interval of batches (as Spark
 * does), so that a partition can be rebuilt elsewhere from the saved copy and the inputs since.
 */
public abstract class StatefulDStream<K, S> extends DStream<Pair<K, S>> implements StatefulStream {
    private static final Logger LOG = LogManager.getLogger(StatefulDStream.class);
    /** Saved versions kept per operator: the newest, and one before it in case the newest is damaged. */
    private static final int SAVED_VERSIONS_KEPT = 2;

    private final Partitioner partitioner;
    private transient InMemoryStateStore<K, S> store;
    private transient StoreSpec spec;
    private transient volatile Time savedVersion;
    private transient volatile String savedDir;
    private transient volatile StateSaver saver;
    /** The batch time this operator's state starts after: the zero time, or the restart of an upgraded graph. */
    private transient volatile Time origin;

    /** Takes the saving of state versions off the batch's path (see {@link #saveStatesWith}). */
    public interface StateSaver {
        /** Saves {@code version} of {@code stream}'s state, eventually, by calling {@link #saveState}. */
        void submit(StatefulDStream<?, ?> stream, StateDataset<?, ?> version);
    }

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

    /**
     * The driver's store of this operator: where the state lives in local mode. On a cluster the state lives in the
     * executors' stores and this one stays empty.
     */
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

    /** True when the state lives in executors, which can be lost: versions keep their lineage until saved. */
    private boolean stateCanBeLost() {
        return context().context().runsTasksOnExecutors();
    }

    @Override
    public void initialize(Time zero) {
        super.initialize(zero);
        if (store == null) {
            // a per-run instance: executors shared by successive contexts keep each run's state apart
            if (origin == null) {
                origin = zero;
            }
            spec = new StoreSpec(operatorId(), java.util.UUID.randomUUID().toString().substring(0, 8),
                    partitioner.numPartitions(), origin, tracksIdleKeys());
            store = spec.newStore();
            if (stateCanBeLost()) {
                context().context().addStateLossListener(this::statePartitionsLost);
            }
        }
        // tasks the driver runs find the store by operator id in its environment
        context().context().stateRegistry().register(spec, store);
    }

    /** What a process needs to create this operator's store; set by {@link #initialize}. */
    protected StoreSpec storeSpec() {
        return spec;
    }

    /**
     * From now on, the version of every batch that completes a checkpoint interval is handed to {@code saver} when
     * the batch is generated; versions from the oldest one not saved yet stay readable until it is saved.
     */
    public void saveStatesWith(StateSaver saver) {
        this.saver = saver;
    }

    @Override
    public void remember(Duration duration) {
        Duration d = duration;
        boolean inputsReplayable = stateCanBeLost()
                || context().conf().get(io.sluice.conf.SluiceConf.RECEIVER_WAL_ENABLE);
        if (inputsReplayable && checkpointDuration() != null) {
            // the inputs of the versions since the last saved one must stay (in executors or in the write-ahead
            // log), to rebuild a lost partition or the state of a restarted driver
            Duration twice = checkpointDuration().multipliedBy(2);
            d = d == null || twice.compareTo(d) > 0 ? twice : d;
        }
        super.remember(d);
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
        boolean first = !base.isAfter(origin);
        boolean keepLineage = stateCanBeLost();
        StateDataset<K, S> previous = null;
        String baseSnapshot = null;
        if (first) {
            base = origin;
        } else if (base.equals(savedVersion)) {
            baseSnapshot = savedDir;
        } else if (keepLineage || !store.isCommitted(base)) {
            Dataset<Pair<K, S>> prev = getOrCompute(base).orElseThrow(() -> new IllegalStateException(
                    "No state dataset for " + this + " at the previous batch"));
            if (!(prev instanceof StateDataset<K, S> p)) {
                throw new IllegalStateException("The state dataset of " + this + " at the previous batch is " + prev);
            }
            previous = p;
        }
        Step<K, S> step = step(time, first);
        var ds = new StateDataset<>(context().context(), opName(), spec, partitioner, base, time, step.inputs(),
                step.update(), previous, baseSnapshot, keepLineage);
        StateSaver s = saver;
        if (s != null && isSaveTime(time)) {
            s.submit(this, ds);
        }
        // with state on executors the saves bound the lineage (they write every partition); this is the backstop
        // for saves that lag behind
        int maxPending = keepLineage ? 2 * maxPendingVersions() : maxPendingVersions();
        if (previous != null && ds.pendingVersions() >= maxPending) {
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

    /** True if the state of batch {@code time} is to be saved: a whole number of checkpoint intervals from zero. */
    public boolean isSaveTime(Time time) {
        long sinceZero = time.milliseconds() - zeroTime().milliseconds();
        return sinceZero > 0 && sinceZero % checkpointDuration().toMillis() == 0;
    }

    /**
     * Versions up to {@code cutoff} may be forgotten, except from the oldest version due to be saved that is not
     * saved yet (a save runs behind the batches): that one stays readable until saved, or until it is ten checkpoint
     * intervals old (saves keep failing: memory must not grow without bound).
     */
    private Time forgetLimit(Time cutoff) {
        if (saver == null) {
            return cutoff;
        }
        Time saved = savedVersion;
        Time oldestUnsaved = (saved == null ? zeroTime() : saved).plus(checkpointDuration());
        if (cutoff.isBefore(oldestUnsaved)) {
            return cutoff;
        }
        Time pinned = oldestUnsaved.minus(slideDuration());
        Time floor = cutoff.minus(checkpointDuration().multipliedBy(10));
        return pinned.isBefore(floor) ? floor : pinned;
    }

    /**
     * Writes {@code version} (a dataset of this stream) to {@code snapshots}, one file per partition written by the
     * process hosting it, then marks it committed, deletes older saved versions, and lets later versions drop the
     * lineage before it. Runs a job; not on a task thread.
     */
    public void saveState(StateDataset<?, ?> version, StateSnapshots snapshots) throws IOException {
        @SuppressWarnings("unchecked")
        StateDataset<K, S> ds = (StateDataset<K, S>) version;
        Time time = ds.version();
        String op = operatorId();
        String dir = snapshots.versionDir(op, time).toString();
        List<Integer> sizes = context().context().runJob(ds, "save state of '" + op + "' at " + time, (p, ctx) -> {
            ds.materialize(p, ctx);
            var entries = new HashMap<K, StateEntry<S>>();
            ctx.env().stateStores().<K, S>store(ds.spec()).snapshot(p, time, entries::put);
            Path vdir = new Path(dir);
            try {
                FileSystem fs = vdir.getFileSystem(ctx.env().hadoopConf());
                StateSnapshotFile.write(fs, StateSnapshots.partitionFile(vdir, p), op, p, time, entries,
                        ctx.env().serializer());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot save partition " + p + " of the state of '" + op + "' at "
                        + time + " to " + dir + ": " + e.getMessage(), e);
            }
            return entries.size();
        });
        snapshots.commit(op, time);
        savedDir = dir;
        savedVersion = time;
        for (Dataset<Pair<K, S>> d : generatedDatasets()) {
            if (d instanceof StateDataset<K, S> later) {
                later.cutLineageAt(time, dir);
            }
        }
        snapshots.retainNewest(op, SAVED_VERSIONS_KEPT);
        LOG.info("{}: saved the state at {} ({} keys in {} partitions) to {}", this, time,
                sizes.stream().mapToLong(Integer::longValue).sum(), sizes.size(), dir);
    }

    /**
     * A restarted driver continues from the newest saved version of this operator's state at or before
     * {@code upTo} (the last batch the previous driver completed): the batches after it rebuild the state from there.
     * Returns that version, or empty if none was saved (the state is then rebuilt from the first batch still
     * available).
     */
    public Optional<Time> restoreSavedState(StateSnapshots snapshots, Time upTo) throws IOException {
        Time best = null;
        for (Time v : snapshots.committedVersions(operatorId())) {
            if (!v.isAfter(upTo)) {
                best = v;
            }
        }
        if (best != null) {
            savedVersion = best;
            savedDir = snapshots.versionDir(operatorId(), best).toString();
            LOG.info("{}: continues from its state saved at {} ({})", this, best, savedDir);
        }
        return Optional.ofNullable(best);
    }

    /**
     * This operator is new in a restarted application (the checkpoint has no state for it): its state starts empty
     * after batch {@code restart} instead of being rebuilt from earlier batches it never saw. Before start only.
     */
    public void startsAfter(Time restart) {
        this.origin = restart;
    }

    /** The newest version of the state saved so far, if any. */
    public Optional<Time> lastSavedVersion() {
        return Optional.ofNullable(savedVersion);
    }

    /** What kind of state this operator keeps, as checkpoints record it (e.g. {@code updateStateByKey}). */
    public String stateKind() {
        return opName();
    }

    /** Executors holding state slots were lost: those partitions of every remembered version must be rebuilt. */
    private void statePartitionsLost(Set<Integer> slots) {
        for (Dataset<Pair<K, S>> d : generatedDatasets()) {
            if (d instanceof StateDataset<K, S> s) {
                s.forgetPartitions(slots);
            }
        }
        LOG.warn("{}: state partitions {} were lost with their executor; they are rebuilt from the last saved state "
                + "({}) and the batches since, when next needed", this, slots,
                savedVersion == null ? "none yet: from the first batch" : savedVersion);
    }

    /**
     * The batch is forgotten: its version and older ones are no longer read (except those a save still needs), in
     * the driver (local mode) and in the executors (told by a message: a version must outlive the batches that read
     * it, however far materialization ran ahead of them).
     */
    @Override
    protected void onClear(Time time, Dataset<Pair<K, S>> dataset) {
        context().context().forgetState(spec.key(), forgetLimit(time));
    }
}
