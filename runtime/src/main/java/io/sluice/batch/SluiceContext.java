package io.sluice.batch;

import io.sluice.cluster.ClusterManagerFactory;
import io.sluice.cluster.ClusterManagers;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutionEnv;
import io.sluice.shuffle.MapOutputTracker;
import io.sluice.shuffle.MapStatus;
import io.sluice.scheduler.ExecutorCluster;
import io.sluice.shuffle.ShuffleStore;
import io.sluice.state.StateRegistry;
import io.sluice.storage.BlockStore;
import io.sluice.util.NamedThreadFactory;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The batch engine of one application (Spark's SparkContext), on the driver only: creates datasets, plans jobs into
 * stages at shuffle boundaries, and runs their tasks ({@link ShuffleMapTask}, {@link ResultTask}) through a
 * {@link TaskScheduler}. Tasks run by the driver itself (local mode) use {@link #env()}, which holds the block store,
 * the shuffle outputs and the state stores; tasks never reach this object. On {@code local-cluster[E,C,M]} every
 * task runs in an executor JVM ({@link io.sluice.scheduler.ExecutorCluster}); a job whose tasks find map outputs
 * missing (an executor was lost) runs the missing map tasks again and retries, at most
 * {@code sluice.stage.maxConsecutiveAttempts} times.
 */
public final class SluiceContext implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(SluiceContext.class);

    private final SluiceConf conf;
    private final String appId;
    private final TaskScheduler scheduler;
    private final DriverEnv env;
    private final MapOutputTracker mapOutputs = new MapOutputTracker();
    private final AtomicInteger nextDatasetId = new AtomicInteger();
    private final AtomicInteger nextShuffleId = new AtomicInteger();
    private final AtomicInteger nextStageId = new AtomicInteger();
    private final ConcurrentHashMap<Integer, Object> shuffleLocks = new ConcurrentHashMap<>();
    private final Cleaner cleaner = Cleaner.create(new NamedThreadFactory("sluice-cleaner", true));
    private final boolean cluster;
    private final int maxStageAttempts;
    /**
     * Guards {@link #stateLosses} together with the driver's record of which partitions are computed: a task result
     * that arrives after its executor (and the state slots it hosted) was lost must not mark as computed what that
     * loss just took away.
     */
    private final Object computedLock = new Object();
    private final List<String> configurationWarnings;
    private long stateLosses;
    private final List<java.util.function.Predicate<StateRestoreFailedException>> restoreFailureHandlers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    /**
     * A context for {@code sluice.master}: {@code local[N]} runs tasks on N threads of this JVM, with nothing
     * serialized; {@code local-cluster[E,C,M]} starts E executor JVMs (waiting until they registered, at most
     * {@code sluice.executor.registrationTimeout}) and runs every task in one of them; with
     * {@code sluice.dynamicAllocation.enabled} its settings are checked first (a bad combination throws
     * {@link IllegalArgumentException} naming the keys), E is the initial count, and a {@code StreamingContext} on
     * this context scales the executors ({@link #executorAllocation()}). A cluster application gets an id
     * ({@code sluice.app.id}) unless it has one.
     */
    public SluiceContext(SluiceConf conf) {
        this(withAppId(conf), null);
    }

    /**
     * A context whose tasks run on the scheduler that {@code schedulers} makes; it is given the driver's own
     * environment, for tasks the driver runs itself. Engine-internal: where schedulers other than the local one
     * plug in.
     */
    public SluiceContext(SluiceConf conf, Function<ExecutionEnv, TaskScheduler> schedulers) {
        // every value at once, before anything starts; unknown and deprecated keys are logged
        this.configurationWarnings = conf.validateAtStart(conf.get(SluiceConf.APP_NAME)).warnings();
        this.conf = conf;
        this.env = new DriverEnv(conf);
        this.maxStageAttempts = conf.get(SluiceConf.STAGE_MAX_ATTEMPTS);
        String master = conf.get(SluiceConf.MASTER);
        if (schedulers != null) {
            this.scheduler = schedulers.apply(env);
            this.appId = "local-" + System.currentTimeMillis();
            this.cluster = scheduler.runsTasksOnExecutors();
        } else if (clusterManager(master).isPresent()) {
            this.appId = conf.get(SluiceConf.APP_ID);
            this.scheduler = ExecutorCluster.start(conf, clusterManager(master).get(), env.serializer(), mapOutputs);
            this.cluster = true;
        } else {
            if (!ClusterManagers.isLocalThreads(master)) {
                // a cluster master whose backend module is not on the class path
                throw new IllegalArgumentException("Cannot start " + conf.get(SluiceConf.APP_NAME) + ": "
                        + io.sluice.deploy.Submitters.noBackendMessage(master, SluiceContext.class.getClassLoader()));
            }
            int threads = MasterUrl.parseLocal(master).localThreads();
            this.scheduler = new LocalTaskScheduler(threads, conf.get(SluiceConf.JOB_TIMEOUT), env);
            this.appId = "local-" + System.currentTimeMillis();
            this.cluster = false;
        }
        LOG.info("Started {} ({}) on {} with {} task slots", appId, conf.get(SluiceConf.APP_NAME),
                conf.get(SluiceConf.MASTER), scheduler.slots());
    }

    private static final AtomicInteger APP_COUNTER = new AtomicInteger();

    /**
     * The cluster manager that claims {@code master} among those found by {@link java.util.ServiceLoader}
     * ({@code local-cluster[...]} in runtime, {@code yarn} once sluice-am-yarn is on the class path, ...), or null
     * empty for the driver-thread masters {@code local[N]}; a master no factory claims is then parsed as a local one
     * and gets {@link MasterUrl}'s message listing the accepted forms.
     */
    private static java.util.Optional<ClusterManagerFactory> clusterManager(String master) {
        if (ClusterManagers.isLocalThreads(master)) {
            return java.util.Optional.empty();
        }
        return ClusterManagers.forMaster(master.trim(), SluiceContext.class.getClassLoader());
    }

    /** {@code conf}, or for a cluster master without {@code sluice.app.id} a copy with a fresh id (YARN sets its own). */
    private static SluiceConf withAppId(SluiceConf conf) {
        if (ClusterManagers.isLocalThreads(conf.get(SluiceConf.MASTER)) || !conf.get(SluiceConf.APP_ID).isBlank()) {
            return conf;
        }
        String id = "app-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now())
                + "-" + ProcessHandle.current().pid() + "-" + APP_COUNTER.incrementAndGet();
        return conf.copy().set(SluiceConf.APP_ID, id);
    }

    /**
     * True when tasks run in executor processes rather than on the driver's threads: then only what a task carries
     * (its lineage and functions) and what its executor holds reach it; state kept by the driver does not.
     */
    public boolean runsTasksOnExecutors() {
        return cluster;
    }

    /**
     * The hook for dynamic allocation: present on a cluster master with {@code sluice.dynamicAllocation.enabled},
     * whose settings were checked when this context started; empty otherwise ({@code local[N]} has no executors).
     */
    public java.util.Optional<io.sluice.control.ExecutorAllocationHost> executorAllocation() {
        return scheduler instanceof ExecutorCluster c ? c.executorAllocation() : java.util.Optional.empty();
    }

    /**
     * Tells the cluster backend where the driver's HTTP server serves (on YARN: the application's tracking URL);
     * nothing happens on {@code local[N]}.
     */
    public void publishDriverUi(java.net.URI url) {
        if (scheduler instanceof ExecutorCluster c) {
            c.executors().publishDriverUi(url);
        }
    }

    public SluiceConf conf() {
        return conf;
    }

    /**
     * What the configuration check at start warned of (and logged): unknown {@code sluice.*} keys, each naming the
     * closest known key, and deprecated key names.
     */
    public List<String> configurationWarnings() {
        return configurationWarnings;
    }

    public String appId() {
        return appId;
    }

    /** Where this context's tasks run (an {@link ExecutorCluster} when they run on executors). */
    public TaskScheduler taskScheduler() {
        return scheduler;
    }

    /** Number of tasks that can run at once. */
    public int slots() {
        return scheduler.slots();
    }

    /** Partitions of shuffle results when none are named: {@code sluice.default.parallelism}, else the slots. */
    public int defaultParallelism() {
        int configured = configuredParallelism();
        return configured > 0 ? configured : scheduler.slots();
    }

    int configuredParallelism() {
        return conf.get(SluiceConf.DEFAULT_PARALLELISM);
    }

    /** The environment of the tasks this process runs itself (local mode). */
    public ExecutionEnv env() {
        return env;
    }

    public BlockStore blockStore() {
        return env.blockStore();
    }

    public ShuffleStore shuffleStore() {
        return env.shuffleStore();
    }

    /** Which map outputs of each shuffle exist and where; reducers on executors look them up here. */
    public MapOutputTracker mapOutputTracker() {
        return mapOutputs;
    }

    /**
     * Calls {@code listener} with the state slots whose executor was lost (see {@link TaskLocality}); never in
     * local mode, where the state lives in this process.
     */
    public void addStateLossListener(java.util.function.Consumer<java.util.Set<Integer>> listener) {
        scheduler.addStateLossListener(slots -> {
            synchronized (computedLock) {
                stateLosses++;
                listener.accept(slots);
            }
        });
    }

    private long stateLosses() {
        synchronized (computedLock) {
            return stateLosses;
        }
    }

    /**
     * Records that the tasks of a stage computed {@code partitions} of {@code ds}, unless state slots were lost since
     * the stage started ({@code lossesAtStart}): a partition computed on the lost executor is gone, and the next job
     * must see the lineage that rebuilds it. Not marking is always safe; it only makes the next job look further.
     */
    private void markComputed(Dataset<?> ds, Iterable<Integer> partitions, long lossesAtStart) {
        synchronized (computedLock) {
            if (stateLosses != lossesAtStart) {
                LOG.debug("{}: state slots were lost while computing {}; its partitions stay marked as not computed",
                        appId, ds);
                return;
            }
            for (int p : partitions) {
                ds.markComputed(p);
            }
        }
    }

    /**
     * Adds {@code handler}, asked when a job's task could not restore saved state: it returns true if it owns that
     * state and now rebuilds it another way (an older saved version and the batches since), so the job runs again.
     */
    public void addStateRestoreFailureHandler(java.util.function.Predicate<StateRestoreFailedException> handler) {
        restoreFailureHandlers.add(handler);
    }

    private boolean fallBackFrom(StateRestoreFailedException failure) {
        boolean handled = false;
        for (var h : restoreFailureHandlers) {
            try {
                handled |= h.test(failure);
            } catch (RuntimeException e) {
                LOG.warn("{}: a handler failed on the restore failure of '{}' at {}", appId, failure.storeKey(),
                        failure.version(), e);
            }
        }
        return handled;
    }

    /** Old versions of the state kept under {@code storeKey} are no longer read, here and in every executor. */
    public void forgetState(String storeKey, io.sluice.api.Time upTo) {
        env.stateStores().forgetUpTo(storeKey, upTo);
        scheduler.forgetState(storeKey, upTo);
    }

    /** Where stateful streams register their stores, so that tasks find them by operator id. */
    public StateRegistry stateRegistry() {
        return env.stateStores();
    }

    /** The Hadoop configuration for file sources and outputs; {@code sluice.hadoop.X} keys become {@code X}. */
    public Configuration hadoopConf() {
        return env.hadoopConf();
    }

    // ---------------------------------------------------------------- dataset creation

    /** A dataset over {@code data}, split into {@code slices} contiguous partitions. */
    public <T> Dataset<T> parallelize(List<T> data, int slices) {
        return new ParallelCollectionDataset<>(this, List.copyOf(data), slices);
    }

    public <T> Dataset<T> parallelize(List<T> data) {
        return parallelize(data, defaultParallelism());
    }

    public <K, V> PairDataset<K, V> parallelizePairs(List<io.sluice.api.Pair<K, V>> data, int slices) {
        return new PairDataset<>(parallelize(data, slices));
    }

    /** A dataset with no partitions and no elements. */
    public <T> Dataset<T> emptyDataset() {
        return new EmptyDataset<>(this);
    }

    /**
     * The partitions of all {@code datasets} side by side; datasets that share a partitioner are unioned
     * partition by partition, keeping it.
     */
    public <T> Dataset<T> union(List<Dataset<T>> datasets) {
        if (datasets.isEmpty()) {
            return emptyDataset();
        }
        if (datasets.size() == 1) {
            return datasets.get(0);
        }
        Partitioner first = datasets.get(0).partitioner();
        boolean shared = first != null;
        for (var d : datasets) {
            shared &= first != null && first.equals(d.partitioner());
        }
        return shared ? new PartitionerAwareUnionDataset<>(this, datasets) : new UnionDataset<>(this, datasets);
    }

    /** The number of elements of a dataset if known without running a job, else -1. */
    public static long knownSize(Dataset<?> ds) {
        if (ds instanceof ParallelCollectionDataset<?> p) {
            return p.size();
        }
        if (ds instanceof PairDataset<?, ?> p && p.dependencies().get(0).parent() instanceof ParallelCollectionDataset<?> pc) {
            return pc.size();
        }
        return -1;
    }

    // ---------------------------------------------------------------- jobs

    public <T, U> List<U> runJob(Dataset<T> ds, String name, TaskFunction<U> fn) {
        int[] all = new int[ds.numPartitions()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return runJob(ds, name, all, fn);
    }

    /** Runs the shuffle stages {@code ds} needs, then {@code fn} on the given partitions. */
    public <T, U> List<U> runJob(Dataset<T> ds, String name, int[] partitions, TaskFunction<U> fn) {
        if (stopped) {
            throw new IllegalStateException("Cannot run a job: the context " + appId + " has been stopped");
        }
        if (scheduler.inTask()) {
            throw new IllegalStateException("Dataset transformations and actions can only be invoked by the driver, "
                    + "not inside other dataset transformations or actions (called '" + name + "' inside a task)");
        }
        List<Integer> reads = shuffleLineage(ds);
        mapOutputs.retain(reads);
        try {
            return runJobAttempts(ds, name, partitions, fn);
        } finally {
            mapOutputs.release(reads);
        }
    }

    private <T, U> List<U> runJobAttempts(Dataset<T> ds, String name, int[] partitions, TaskFunction<U> fn) {
        for (int attempt = 1; ; attempt++) {
            try {
                long losses = stateLosses();
                prepareShuffles(ds);
                int stageId = nextStageId.getAndIncrement();
                LOG.debug("Running stage {} ({} of {}) with {} tasks", stageId, name, ds, partitions.length);
                var tasks = new ArrayList<ResultTask<U>>(partitions.length);
                for (int p : partitions) {
                    tasks.add(new ResultTask<>(stageId, p, ds, fn));
                }
                List<U> results = scheduler.runTasks(name + " of " + ds, tasks);
                markComputed(ds, java.util.Arrays.stream(partitions).boxed().toList(), losses);
                return results;
            } catch (StateRestoreFailedException e) {
                // a saved copy of some state is unreadable: its operator falls back to an older one and the batches
                // since, and the job runs again on that lineage
                if (attempt >= maxStageAttempts || !fallBackFrom(e)) {
                    throw new TaskFailedException("Job '" + name + "' of " + appId + " failed: " + e.getMessage()
                            + (attempt >= maxStageAttempts ? " (" + attempt + " attempts, "
                            + SluiceConf.STAGE_MAX_ATTEMPTS.name() + " = " + maxStageAttempts + ")"
                            : "; no older saved version with the batches since is available to rebuild it"), e);
                }
                LOG.warn("{}: job '{}' could not restore saved state (attempt {} of {}); running it again from an "
                        + "older saved version: {}", appId, name, attempt, maxStageAttempts, e.getMessage());
            } catch (FetchFailedException e) {
                // map outputs were lost (an executor died or lost them): run the missing maps again, then the stage
                if (attempt >= maxStageAttempts) {
                    throw new TaskFailedException("Job '" + name + "' of " + appId + " failed: map outputs were lost "
                            + attempt + " times in a row (" + SluiceConf.STAGE_MAX_ATTEMPTS.name() + " = " + maxStageAttempts
                            + "); last: " + e.getMessage(), e);
                }
                LOG.warn("{}: job '{}' lost map outputs (attempt {} of {}), re-planning: {}", appId, name, attempt,
                        maxStageAttempts, e.getMessage());
            }
        }
    }

    /** The ids of every shuffle in {@code root}'s lineage: what a job on it may read, directly or to rebuild. */
    private static List<Integer> shuffleLineage(Dataset<?> root) {
        var ids = new ArrayList<Integer>();
        Set<Integer> visited = new HashSet<>();
        var stack = new ArrayList<Dataset<?>>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Dataset<?> ds = stack.remove(stack.size() - 1);
            if (!visited.add(ds.id())) {
                continue;
            }
            for (Dependency d : ds.dependencies()) {
                if (d instanceof ShuffleDependency<?, ?, ?> sd) {
                    ids.add(sd.shuffleId());
                }
                stack.add(d.parent());
            }
        }
        return ids;
    }

    /** Makes sure every shuffle {@code ds} reads has all its map outputs, running missing map stages first. */
    private void prepareShuffles(Dataset<?> ds) {
        for (ShuffleDependency<?, ?, ?> dep : shuffleParents(ds)) {
            ensureShuffle(dep);
        }
    }

    private List<ShuffleDependency<?, ?, ?>> shuffleParents(Dataset<?> root) {
        var found = new ArrayList<ShuffleDependency<?, ?, ?>>();
        Set<Integer> visited = new HashSet<>();
        var stack = new ArrayList<Dataset<?>>();
        stack.add(root);
        while (!stack.isEmpty()) {
            Dataset<?> ds = stack.remove(stack.size() - 1);
            if (!visited.add(ds.id()) || isFullyCached(ds)) {
                continue;
            }
            for (Dependency d : ds.dependencies()) {
                if (d instanceof ShuffleDependency<?, ?, ?> sd) {
                    found.add(sd);
                } else {
                    stack.add(d.parent());
                }
            }
        }
        return found;
    }

    private boolean isFullyCached(Dataset<?> ds) {
        if (ds.getStorageLevel().equals(io.sluice.storage.StorageLevel.NONE)) {
            return false;
        }
        for (int p = 0; p < ds.numPartitions(); p++) {
            if (!env.blockStore().contains("rdd_" + ds.id() + "_" + p)) {
                return false;
            }
        }
        return true;
    }

    private <K, V, C> void ensureShuffle(ShuffleDependency<K, V, C> dep) {
        Object lock = shuffleLocks.computeIfAbsent(dep.shuffleId(), id -> new Object());
        synchronized (lock) {
            int numMaps = dep.parent().numPartitions();
            mapOutputs.register(dep.shuffleId(), numMaps);
            env.shuffleStore().register(dep.shuffleId(), numMaps);
            List<Integer> missing = mapOutputs.missingMaps(dep.shuffleId());
            if (missing.isEmpty()) {
                return;
            }
            long losses = stateLosses();
            prepareShuffles(dep.parent());
            int stageId = nextStageId.getAndIncrement();
            var tasks = new ArrayList<ShuffleMapTask>(missing.size());
            for (int m : missing) {
                tasks.add(new ShuffleMapTask(stageId, m, dep));
            }
            for (MapStatus status : scheduler.runTasks("shuffle map of " + dep.parent(), tasks)) {
                mapOutputs.add(dep.shuffleId(), status);
            }
            markComputed(dep.parent(), missing, losses);
        }
    }

    // ---------------------------------------------------------------- ids and cleanup

    int newDatasetId() {
        return nextDatasetId.getAndIncrement();
    }

    int newShuffleId() {
        return nextShuffleId.getAndIncrement();
    }

    /** Releases a shuffle's outputs once its dependency object is unreachable. */
    void registerShuffleForCleanup(ShuffleDependency<?, ?, ?> dep) {
        int id = dep.shuffleId();
        ShuffleStore store = env.shuffleStore();
        MapOutputTracker tracker = mapOutputs;
        var locks = shuffleLocks;
        TaskScheduler tasks = scheduler;
        cleaner.register(dep, () -> {
            tracker.unregister(id);
            store.release(id);
            locks.remove(id);
            tasks.releaseShuffle(id);
        });
    }

    /** Drops the cached partitions of a dataset here and, asynchronously, on the executors. */
    void removeDatasetBlocks(int datasetId) {
        env.blockStore().removeDataset(datasetId);
        scheduler.releaseDataset(datasetId);
    }

    /** Drops a persisted dataset's blocks once the dataset is unreachable. */
    void registerPersisted(Dataset<?> ds) {
        int id = ds.id();
        BlockStore store = env.blockStore();
        TaskScheduler tasks = scheduler;
        cleaner.register(ds, () -> {
            store.removeDataset(id);
            tasks.releaseDataset(id);
        });
    }

    public boolean isStopped() {
        return stopped;
    }

    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        scheduler.close();
        LOG.info("Stopped {}", appId);
    }
}
