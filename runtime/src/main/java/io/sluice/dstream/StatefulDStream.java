package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Partitioner;
import io.sluice.batch.StateRestoreFailedException;
import io.sluice.checkpoint.MetadataCheckpoint;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
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
 * <p>Every checkpoint interval, {@link #saveState} writes the batch's version to the checkpoint directory, in the
 * background: a save may run ahead of slow batches. A saved version becomes the one lost partitions are rebuilt
 * from ("adopted": the lineage of later versions is cut there) only once its batch has completed, so that no batch
 * still to run can need a version older than the one a new host restores. On a cluster, where an executor holding
 * partitions can be lost, each version keeps the chain of versions back to the last adopted one, and the stream and
 * its parents remember twice the checkpoint interval of batches (as Spark does), so that a partition can be rebuilt
 * elsewhere from the saved copy and the inputs since. A saved copy that cannot be read makes the stream fall back to
 * the one before it and the batches since ({@link #restoreFailed}).
 *
 * <p>Saved versions are deleted by reference, not by count ({@link #retainSavedVersions}): a version stays while a
 * kept metadata checkpoint names it as the one a restarted driver restores from, while a remembered or pending
 * version's lineage starts from it, or while it is the newest one; and the one before the oldest of those stays as
 * its fallback.
 */
public abstract class StatefulDStream<K, S> extends DStream<Pair<K, S>> implements StatefulStream {
    private static final Logger LOG = LogManager.getLogger(StatefulDStream.class);

    private final Partitioner partitioner;
    private transient InMemoryStateStore<K, S> store;
    private transient StoreSpec spec;
    /** The newest adopted saved version (and its directory): where later versions' lineage starts. */
    private transient volatile Time savedVersion;
    private transient volatile String savedDir;
    private transient volatile StateSaver saver;
    /** The batch time this operator's state starts after: the zero time, or the restart of an upgraded graph. */
    private transient volatile Time origin;
    /** Saved versions that can be restored from (adopted here or found at restart), with their directories. */
    private final transient TreeMap<Time, String> adopted = new TreeMap<>(); // guarded by this
    /** Saved versions whose batch has not completed yet, with their directories; guarded by this. */
    private final transient TreeMap<Time, String> savedAhead = new TreeMap<>();
    /**
     * Versions handed to the saver and not saved (or failed) yet, pinned in the stores. Concurrent, not guarded: a
     * state loss reads it under the context's lock, which jobs take while this stream's lock may be held.
     */
    private final transient ConcurrentSkipListMap<Time, StateDataset<K, S>> unsaved = new ConcurrentSkipListMap<>();
    /** The restore version named for each metadata checkpoint handed out, by its completed batch; guarded by this. */
    private final transient TreeMap<Time, Time> namedForCheckpoints = new TreeMap<>();
    /** Saved versions found unreadable, not restored from again; guarded by this. */
    private final transient TreeSet<Time> unreadable = new TreeSet<>();
    /** The last batch completed (or the checkpoint's completed batch at restart); guarded by this. */
    private transient Time lastCompleted;
    /** The last batch completed by this driver, whose clean-up made inputs before it unavailable; guarded by this. */
    private transient Time lastCleared;
    /** The newest version handed to the saver; guarded by this. */
    private transient Time lastSubmitted;
    /** True while older versions are generated again to fall back from an unreadable saved copy; guarded by this. */
    private transient boolean regenerating;

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
            context().context().addStateRestoreFailureHandler(this::restoreFailed);
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
     * the batch is generated; the oldest version handed over and not saved yet stays readable until it is saved.
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
        if (s != null && isSaveTime(time) && !regenerating && (lastSubmitted == null || time.isAfter(lastSubmitted))) {
            unsaved.put(time, ds);
            lastSubmitted = time; // under this stream's lock, as getOrCompute holds it
            s.submit(this, ds);
        }
        // with state on executors the saves bound the lineage (they write every partition); this is the backstop
        // for saves that lag behind
        int maxPending = keepLineage ? 2 * maxPendingVersions() : maxPendingVersions();
        if (previous != null && !regenerating && ds.pendingVersions() >= maxPending) {
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
     * Versions up to {@code cutoff} may be forgotten, except from the oldest version handed to the saver and not
     * saved yet (a save runs behind the batches): that one stays readable until its save ends, or until it is ten
     * checkpoint intervals old (saves keep failing: memory must not grow without bound).
     */
    private Time forgetLimit(Time cutoff) {
        var first = unsaved.firstEntry();
        Time oldestUnsaved = first == null ? null : first.getKey();
        if (oldestUnsaved == null || cutoff.isBefore(oldestUnsaved)) {
            return cutoff;
        }
        Time pinned = oldestUnsaved.minus(slideDuration());
        Time floor = cutoff.minus(checkpointDuration().multipliedBy(10));
        return pinned.isBefore(floor) ? floor : pinned;
    }

    /**
     * Writes {@code version} (a dataset of this stream) to {@code snapshots}, one file per partition written by the
     * process hosting it, then marks it committed. Once its batch has completed (at once if it has), it is adopted:
     * later versions drop the lineage before it, and lost partitions are rebuilt from it. Older saved versions are
     * deleted separately ({@link #retainSavedVersions}). Runs a job; not on a task thread.
     */
    public void saveState(StateDataset<?, ?> version, StateSnapshots snapshots) throws IOException {
        @SuppressWarnings("unchecked")
        StateDataset<K, S> ds = (StateDataset<K, S>) version;
        Time time = ds.version();
        String op = operatorId();
        String dir = snapshots.versionDir(op, time).toString();
        try {
            List<Integer> sizes = context().context().runJob(ds, "save state of '" + op + "' at " + time, (p, ctx) -> {
                ds.materialize(p, ctx);
                var entries = new HashMap<K, StateEntry<S>>();
                ds.readVersion(p, ctx, entries::put);
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
            LOG.info("{}: saved the state at {} ({} keys in {} partitions) to {}", this, time,
                    sizes.stream().mapToLong(Integer::longValue).sum(), sizes.size(), dir);
            synchronized (this) {
                if (lastCompleted != null && !time.isAfter(lastCompleted)) {
                    adopt(time, dir);
                } else {
                    savedAhead.put(time, dir); // its batch, or one before it, is still to run
                }
            }
        } finally {
            unsaved.remove(time);
        }
    }

    /**
     * Makes saved version {@code time} the one later versions start from: every batch up to it has completed, so
     * none still to run reads a version before it (a host that restores it drops those). Caller holds the lock.
     */
    private void adopt(Time time, String dir) {
        adopted.put(time, dir);
        if (savedVersion != null && !time.isAfter(savedVersion)) {
            return;
        }
        savedDir = dir;
        savedVersion = time;
        for (Dataset<Pair<K, S>> d : generatedDatasets()) {
            if (d instanceof StateDataset<K, S> later) {
                later.cutLineageAt(time, dir);
            }
        }
        LOG.debug("{}: lost partitions are now rebuilt from the state saved at {}", this, time);
    }

    /** Batch {@code time} completed (the graph clears what it no longer needs): adopts the versions saved up to it. */
    @Override
    public void clearMetadata(Time time) {
        super.clearMetadata(time);
        synchronized (this) {
            if (lastCompleted == null || time.isAfter(lastCompleted)) {
                lastCompleted = time;
            }
            if (lastCleared == null || time.isAfter(lastCleared)) {
                lastCleared = time;
            }
            var ready = savedAhead.headMap(lastCompleted, true);
            ready.forEach(this::adopt);
            ready.clear();
        }
    }

    /**
     * The saved version a driver restarted from the checkpoint of batch {@code completed} is to restore this
     * operator's state from (what that checkpoint names), if any; the checkpoint writer asks once per checkpoint.
     */
    public synchronized Optional<Time> restoreReference(Time completed) {
        Time ref = adopted.floorKey(completed);
        if (ref != null) {
            // several checkpoints may share a completed batch: the oldest version named is the one to keep
            namedForCheckpoints.merge(completed, ref, (a, b) -> a.isBefore(b) ? a : b);
        }
        return Optional.ofNullable(ref);
    }

    /**
     * Deletes the saved versions of this operator that nothing can need any more: a saved version stays while one of
     * {@code keptCheckpoints} (the metadata checkpoints still in the checkpoint directory, any of which a restarted
     * driver may recover from) names it as its restore version (or, for a checkpoint naming none, while it is the
     * newest saved version at or before that checkpoint's batch), while a checkpoint handed out but not yet in
     * {@code keptCheckpoints} names it, while the lineage of a remembered version or of a pending save starts from
     * it, or while it is the newest adopted one; every version after the oldest of those stays too, and the one
     * before it as its fallback. Deletes nothing while no version is needed. Not on a task thread.
     */
    public void retainSavedVersions(StateSnapshots snapshots, List<MetadataCheckpoint> keptCheckpoints)
            throws IOException {
        String op = operatorId();
        List<Time> committed = snapshots.committedVersions(op);
        Time oldestNeeded = null;
        Time newestCheckpoint = null;
        for (MetadataCheckpoint cp : keptCheckpoints) {
            if (newestCheckpoint == null || cp.completedTime().isAfter(newestCheckpoint)) {
                newestCheckpoint = cp.completedTime();
            }
            for (MetadataCheckpoint.Operator o : cp.operators()) {
                if (o.id().equals(op)) {
                    Time ref = o.restoreFrom() != null ? o.restoreFrom() : newestAtOrBefore(committed, cp.completedTime());
                    oldestNeeded = earliest(oldestNeeded, ref);
                }
            }
        }
        synchronized (this) {
            if (newestCheckpoint != null) {
                namedForCheckpoints.headMap(newestCheckpoint, true).clear(); // on disk, or superseded by one that is
            }
            for (Time ref : namedForCheckpoints.values()) {
                oldestNeeded = earliest(oldestNeeded, ref);
            }
            oldestNeeded = earliest(oldestNeeded, savedVersion);
            var live = new ArrayList<StateDataset<K, S>>(unsaved.values());
            for (Dataset<Pair<K, S>> d : generatedDatasets()) {
                if (d instanceof StateDataset<K, S> sd) {
                    live.add(sd);
                }
            }
            for (StateDataset<K, S> d : live) {
                StateDataset<K, S> root = d.lineageRoot();
                if (root.baseSnapshot() != null) {
                    oldestNeeded = earliest(oldestNeeded, root.base());
                }
            }
        }
        if (oldestNeeded == null) {
            return;
        }
        List<Time> deleted = snapshots.retainFrom(op, oldestNeeded);
        if (!deleted.isEmpty()) {
            LOG.info("{}: deleted the saved versions {} of its state (the oldest one still needed is {})", this,
                    deleted, oldestNeeded);
        }
    }

    private static Time newestAtOrBefore(List<Time> versions, Time upTo) {
        Time best = null;
        for (Time v : versions) {
            if (!v.isAfter(upTo)) {
                best = v;
            }
        }
        return best;
    }

    private static Time earliest(Time a, Time b) {
        if (a == null) {
            return b;
        }
        return b == null || !b.isBefore(a) ? a : b;
    }

    /**
     * A restarted driver continues from the saved version of this operator's state that the checkpoint of batch
     * {@code upTo} (the last batch the previous driver completed) names, {@code recorded}; when it names none (older
     * checkpoints), or that version is gone or incomplete, from the newest complete one at or before {@code upTo}.
     * The batches after it rebuild the state from there. Returns that version, or empty if none was saved (the state
     * is then rebuilt from the first batch still available). Older saved versions stay fallbacks should it turn out
     * unreadable.
     */
    public Optional<Time> restoreSavedState(StateSnapshots snapshots, Time upTo, Time recorded) throws IOException {
        String op = operatorId();
        var candidates = new ArrayList<Time>();
        for (Time v : snapshots.committedVersions(op)) {
            if (!v.isAfter(upTo)) {
                candidates.add(0, v); // newest first
            }
        }
        if (recorded != null) {
            if (candidates.remove(recorded)) {
                candidates.add(0, recorded);
            } else {
                LOG.warn("{}: the checkpoint of batch {} names the state saved at {}, which is not in {}; continuing "
                        + "from the newest complete saved version before it", this, upTo, recorded, snapshots.root());
            }
        }
        Time best = null;
        for (Time v : candidates) {
            if (snapshots.isComplete(op, v, partitioner.numPartitions())) {
                best = v;
                break;
            }
            LOG.warn("{}: the state saved at {} misses partition files; trying an older saved version", this, v);
        }
        synchronized (this) {
            lastCompleted = upTo;
            if (best != null) {
                for (Time v : candidates) {
                    if (!v.isAfter(best)) {
                        adopted.put(v, snapshots.versionDir(op, v).toString());
                    }
                }
                savedVersion = best;
                savedDir = snapshots.versionDir(op, best).toString();
                LOG.info("{}: continues from its state saved at {} ({})", this, best, savedDir);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Like {@link #restoreSavedState(StateSnapshots, Time, Time)} for a checkpoint that names no version. */
    public Optional<Time> restoreSavedState(StateSnapshots snapshots, Time upTo) throws IOException {
        return restoreSavedState(snapshots, upTo, null);
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
        unsaved.values().forEach(s -> s.forgetPartitions(slots));
        LOG.warn("{}: state partitions {} were lost with their executor; they are rebuilt from the last saved state "
                + "({}) and the batches since, when next needed", this, slots,
                savedVersion == null ? "none yet: from the first batch" : savedVersion);
    }

    /**
     * A task could not read a saved copy of this operator's state (missing, truncated or corrupt): that version is
     * no longer restored from, and every version whose lineage started from it starts from its lineage instead —
     * back to the saved version before it, or to the first batch — replaying the batches since. Returns false if
     * the failure is another operator's, or if the batches since are no longer remembered (then the job fails).
     */
    boolean restoreFailed(StateRestoreFailedException failure) {
        if (spec == null || !failure.storeKey().equals(spec.key())) {
            return false;
        }
        Time broken = failure.version();
        synchronized (this) {
            boolean known = !unreadable.add(broken);
            adopted.remove(broken);
            savedAhead.remove(broken);
            if (broken.equals(savedVersion)) {
                var older = adopted.lowerEntry(broken);
                savedVersion = older == null ? null : older.getKey();
                savedDir = older == null ? null : older.getValue();
            }
            var starting = new ArrayList<StateDataset<K, S>>();
            var all = new ArrayList<StateDataset<K, S>>(unsaved.values());
            for (Dataset<Pair<K, S>> d : generatedDatasets()) {
                if (d instanceof StateDataset<K, S> sd) {
                    all.add(sd);
                }
            }
            for (StateDataset<K, S> d : all) {
                StateDataset<K, S> root = d.lineageRoot();
                if (root.base().equals(broken) && root.baseSnapshot() != null && !starting.contains(root)) {
                    starting.add(root);
                }
            }
            if (starting.isEmpty() && known) {
                return true; // a job that met the same copy already moved every lineage off it: just run again
            }
            StateDataset<K, S> lineage = starting.isEmpty() ? null : lineageOf(broken);
            if (lineage == null) {
                LOG.error("{}: the state saved at {} cannot be read ({}), and the batches before it are no longer "
                        + "remembered to rebuild it", this, broken, failure.getMessage());
                return false;
            }
            starting.forEach(root -> root.fallBackTo(lineage));
            LOG.warn("{}: the state saved at {} cannot be read ({}); rebuilding from {} and the batches since", this,
                    broken, failure.getMessage(), lineage.lineageRoot().baseSnapshot() != null
                            ? "the state saved at " + lineage.lineageRoot().base() : "the first batch");
            return true;
        }
    }

    /**
     * The dataset of version {@code time}, remembered or generated again while the inputs of its batch are still
     * remembered (a restarted driver regenerates the batches since its checkpoint anyway); null if neither. Caller
     * holds the lock.
     */
    private StateDataset<K, S> lineageOf(Time time) {
        if (!time.isAfter(origin)) {
            return null; // the initial state has no saved copy to fall back from
        }
        Dataset<Pair<K, S>> ds = generatedDataset(time).orElse(null);
        if (ds == null) {
            if (lastCleared != null && !time.isAfter(lastCleared.minus(rememberDuration()))) {
                return null; // its inputs are forgotten: replaying them would miss data
            }
            regenerating = true;
            try {
                ds = getOrCompute(time).orElse(null);
            } catch (RuntimeException e) {
                LOG.warn("{}: cannot generate the state at {} again", this, time, e);
                return null;
            } finally {
                regenerating = false;
            }
        }
        return ds instanceof StateDataset<K, S> sd ? sd : null;
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
