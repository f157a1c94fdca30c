package io.sluice.scheduler;

import io.sluice.batch.Task;
import io.sluice.batch.TaskScheduler;
import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ClusterManagerFactory;
import io.sluice.cluster.ClusterManagers;
import io.sluice.cluster.ExecutorManager;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.control.DynamicAllocationConfig;
import io.sluice.control.ExecutorAllocationClient;
import io.sluice.control.ExecutorAllocationController;
import io.sluice.control.ExecutorAllocationHost;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.TaskMessages;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputTracker;
import io.sluice.util.SystemClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's side of a cluster, assembled for one application: the driver's RPC server ({@link DriverEndpoints}),
 * its executors ({@link ExecutorManager} over the {@link ClusterBackend} the master URL names) and the
 * {@link ClusterTaskScheduler} that runs tasks on them. It is the {@link TaskScheduler} a {@code SluiceContext} uses
 * for a cluster master.
 *
 * <pre>{@code
 * TaskScheduler s = ExecutorCluster.start(conf, executors, serializer, tracker); // returns once `executors` registered
 * s.runTasks("stage", tasks);
 * s.close();                                   // stops executors (no process left), then the RPC server
 * }</pre>
 *
 * <p>With {@code sluice.dynamicAllocation.enabled} the settings are checked before anything starts (a bad
 * combination fails {@link #start} with its message), the master URL's executor count is the initial one, and
 * {@link #executorAllocation()} lets the streaming layer drive an {@link ExecutorAllocationController}; the allocator
 * then only releases executors that {@link ClusterTaskScheduler#tryReserveForRelease} lets go. New executors prefer the
 * hosts of those running receivers or hosting state ({@link ClusterTaskScheduler#localityHint}), on backends that can
 * place by host.
 *
 * <p>{@link #start} fails, having stopped whatever it started, when the executors do not all register within
 * {@code sluice.executor.registrationTimeout} (a slow or failing launch), naming how many did.
 */
public final class ExecutorCluster implements TaskScheduler {
    private static final Logger LOG = LogManager.getLogger(ExecutorCluster.class);

    private final String appId;
    private final DriverEndpoints driver;
    private final ExecutorManager manager;
    private final ClusterTaskScheduler scheduler;
    private final ExecutorAllocationHost allocationHost; // null unless dynamic allocation is enabled

    private ExecutorCluster(String appId, DriverEndpoints driver, ExecutorManager manager, ClusterTaskScheduler scheduler,
                            DynamicAllocationConfig dynamic, int executorCores) {
        this.appId = appId;
        this.driver = driver;
        this.manager = manager;
        this.scheduler = scheduler;
        this.allocationHost = dynamic == null ? null : new AllocationHost(dynamic, executorCores);
    }

    /**
     * The dynamic allocation settings when {@code sluice.dynamicAllocation.enabled}, else null. The executor count of
     * the master URL ({@code executors}) is the initial count: {@code sluice.dynamicAllocation.initialExecutors}, when
     * set, must equal it (two different answers to one question are refused rather than one silently ignored), and
     * it must lie within {@code [minExecutors, maxExecutors]}. Throws {@link IllegalArgumentException} naming the keys.
     */
    static DynamicAllocationConfig dynamicAllocation(SluiceConf conf, int executors, String master) {
        if (!conf.get(SluiceConf.DYN_ALLOC_ENABLED)) {
            return null;
        }
        int initial = conf.get(SluiceConf.DYN_ALLOC_INITIAL);
        if (initial >= 0 && initial != executors) {
            throw new IllegalArgumentException("Dynamic allocation on " + master + " starts " + executors
                    + " executors, but " + SluiceConf.DYN_ALLOC_INITIAL.name() + "=" + initial + "; the initial count is "
                    + "the master URL's executor count on local-cluster[E,C,M], " + SluiceConf.EXECUTOR_INSTANCES.name()
                    + " elsewhere: drop the setting or make the two equal");
        }
        try {
            return DynamicAllocationConfig.from(conf.copy().set(SluiceConf.DYN_ALLOC_INITIAL, executors));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (on " + master + " the initial count is "
                    + executors + ", from the master URL or " + SluiceConf.EXECUTOR_INSTANCES.name() + ")", e);
        }
    }

    /**
     * What the streaming layer needs to run dynamic allocation on these executors; empty unless
     * {@code sluice.dynamicAllocation.enabled}.
     */
    public Optional<ExecutorAllocationHost> executorAllocation() {
        return Optional.ofNullable(allocationHost);
    }

    /** Drives a controller on the executor manager's main thread, which owns the allocator. */
    private final class AllocationHost implements ExecutorAllocationHost {
        private final DynamicAllocationConfig config;
        private final int executorCores;

        AllocationHost(DynamicAllocationConfig config, int executorCores) {
            this.config = config;
            this.executorCores = executorCores;
        }

        @Override
        public DynamicAllocationConfig config() {
            return config;
        }

        @Override
        public int executorCores() {
            return executorCores;
        }

        @Override
        public ExecutorAllocationClient client() {
            return manager.allocationClient();
        }

        @Override
        public AutoCloseable drive(ExecutorAllocationController controller, Duration period, LongSupplier clock) {
            LOG.info("Application {}: dynamic allocation runs every {} ms, {}", appId, period.toMillis(), config);
            return manager.scheduleOnMain("dynamic allocation of " + appId,
                    () -> controller.start(clock.getAsLong()), () -> controller.runOnce(clock.getAsLong()), period);
        }
    }

    /**
     * Starts the driver's server and {@code executors} executors of the backend for {@code sluice.master}, and waits
     * until they registered.
     *
     * @param conf must name the application ({@code sluice.app.id})
     */
    public static ExecutorCluster start(SluiceConf conf, int executors, Serializer serializer, MapOutputTracker tracker) {
        String master = conf.get(SluiceConf.MASTER);
        ClusterManagerFactory factory = ClusterManagers.forMaster(master, ExecutorCluster.class.getClassLoader())
                .orElseThrow(() -> new IllegalArgumentException(
                        io.sluice.deploy.Submitters.noBackendMessage(master, ExecutorCluster.class.getClassLoader())));
        return start(conf, factory, executors, serializer, tracker);
    }

    /**
     * Starts the driver's server and {@code factory.initialExecutors(conf)} executors of the backend {@code factory}
     * creates (the one that claims {@code sluice.master}), and waits until they registered.
     */
    public static ExecutorCluster start(SluiceConf conf, ClusterManagerFactory factory, Serializer serializer,
                                        MapOutputTracker tracker) {
        return start(conf, factory, factory.initialExecutors(conf), serializer, tracker);
    }

    private static ExecutorCluster start(SluiceConf conf, ClusterManagerFactory factory, int executors, Serializer serializer,
                                         MapOutputTracker tracker) {
        String appId = conf.get(SluiceConf.APP_ID);
        String master = conf.get(SluiceConf.MASTER);
        DynamicAllocationConfig dynamic = dynamicAllocation(conf, executors, master);
        if (dynamic != null) {
            executors = dynamic.initialExecutors();
        }
        ClusterBackend backend = factory.create(conf);
        var driver = new DriverEndpoints(conf);
        ExecutorManager manager = null;
        try {
            var clock = new SystemClock();
            var scheduler = new ClusterTaskScheduler(appId, conf, serializer, driver.clients(), tracker, clock);
            driver.registerEndpoint(TaskMessages.MAP_OUTPUTS_ENDPOINT, scheduler.mapOutputsEndpoint());
            driver.registerEndpoint(TaskMessages.SCHEDULER_ENDPOINT, scheduler.schedulerEndpoint());
            manager = new ExecutorManager(conf, driver, backend, ExecutorSpec.fromConf(conf), clock, scheduler,
                    scheduler::tryReserveForRelease, reason -> {
                        LOG.error("Application {}: executors keep failing: {}", appId, reason);
                        scheduler.fail("executors of " + appId + " keep failing: " + reason);
                    }, scheduler::localityHint);
            manager.start();
            manager.requestTotalExecutors(executors);
            Duration timeout = conf.get(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT);
            LOG.info("Application {}: driver at {}, waiting up to {} ms for {} executors of {}", appId, driver.url(),
                    timeout.toMillis(), executors, master);
            if (!scheduler.awaitExecutors(executors, timeout)) {
                throw new IllegalStateException("Application " + appId + ": only " + scheduler.executors().size() + " of "
                        + executors + " executors registered within " + timeout.toMillis() + " ms ("
                        + SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name() + ") on " + master
                        + "; see the executors' logs (stderr)");
            }
            LOG.info("Application {}: executors {} registered, {} task slots", appId, scheduler.executors(), scheduler.slots());
            return new ExecutorCluster(appId, driver, manager, scheduler, dynamic, ExecutorSpec.fromConf(conf).cores());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(manager, driver);
            throw new IllegalStateException("Interrupted while waiting for the executors of " + appId, e);
        } catch (RuntimeException | Error e) {
            stopQuietly(manager, driver);
            throw e;
        }
    }

    private static void stopQuietly(ExecutorManager manager, DriverEndpoints driver) {
        try {
            if (manager != null) {
                manager.stop();
            }
        } catch (RuntimeException e) {
            LOG.warn("Stopping the executors failed", e);
        } finally {
            driver.close();
        }
    }

    /** The scheduler placing tasks on the executors. */
    public ClusterTaskScheduler scheduler() {
        return scheduler;
    }

    /** The driver's RPC side, where driver endpoints (such as the receiver tracker's) are registered. */
    public DriverEndpoints driverEndpoints() {
        return driver;
    }

    /** The executors' manager (e.g. to look up their processes). */
    public ExecutorManager executors() {
        return manager;
    }

    @Override
    public int slots() {
        return scheduler.slots();
    }

    @Override
    public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
        return scheduler.runTasks(stageName, tasks);
    }

    @Override
    public void addStateLossListener(java.util.function.Consumer<java.util.Set<Integer>> listener) {
        scheduler.addStateLossListener(listener);
    }

    @Override
    public void forgetState(String storeKey, io.sluice.api.Time upTo) {
        scheduler.forgetState(storeKey, upTo);
    }

    @Override
    public void releaseShuffle(int shuffleId) {
        scheduler.releaseShuffle(shuffleId);
    }

    @Override
    public void releaseDataset(int datasetId) {
        scheduler.releaseDataset(datasetId);
    }

    @Override
    public boolean inTask() {
        return false;
    }

    @Override
    public boolean runsTasksOnExecutors() {
        return true;
    }

    /** Fails running stages, stops every executor (bounded), then the driver's server. Idempotent. */
    @Override
    public void close() {
        scheduler.close();
        try {
            manager.stop();
        } finally {
            driver.close();
            LOG.info("Application {}: cluster stopped", appId);
        }
    }
}
