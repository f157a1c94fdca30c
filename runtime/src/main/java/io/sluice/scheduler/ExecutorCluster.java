package io.sluice.scheduler;

import io.sluice.batch.Task;
import io.sluice.batch.TaskScheduler;
import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ClusterManagers;
import io.sluice.cluster.ExecutorManager;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.TaskMessages;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputTracker;
import io.sluice.util.SystemClock;
import java.time.Duration;
import java.util.List;
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
 * <p>{@link #start} fails, having stopped whatever it started, when the executors do not all register within
 * {@code sluice.executor.registrationTimeout} (a slow or failing launch), naming how many did.
 */
public final class ExecutorCluster implements TaskScheduler {
    private static final Logger LOG = LogManager.getLogger(ExecutorCluster.class);

    private final String appId;
    private final DriverEndpoints driver;
    private final ExecutorManager manager;
    private final ClusterTaskScheduler scheduler;

    private ExecutorCluster(String appId, DriverEndpoints driver, ExecutorManager manager, ClusterTaskScheduler scheduler) {
        this.appId = appId;
        this.driver = driver;
        this.manager = manager;
        this.scheduler = scheduler;
    }

    /**
     * Starts the driver's server and {@code executors} executors of the backend for {@code sluice.master}, and waits
     * until they registered.
     *
     * @param conf must name the application ({@code sluice.app.id})
     */
    public static ExecutorCluster start(SluiceConf conf, int executors, Serializer serializer, MapOutputTracker tracker) {
        String appId = conf.get(SluiceConf.APP_ID);
        String master = conf.get(SluiceConf.MASTER);
        ClusterBackend backend = ClusterManagers.forMaster(master, ExecutorCluster.class.getClassLoader())
                .orElseThrow(() -> new IllegalArgumentException("No cluster manager on the class path supports master URL '"
                        + master + "'"))
                .create(conf);
        var driver = new DriverEndpoints(conf);
        ExecutorManager manager = null;
        try {
            var clock = new SystemClock();
            var scheduler = new ClusterTaskScheduler(appId, conf, serializer, driver.clients(), tracker, clock);
            driver.registerEndpoint(TaskMessages.MAP_OUTPUTS_ENDPOINT, scheduler.mapOutputsEndpoint());
            driver.registerEndpoint(TaskMessages.SCHEDULER_ENDPOINT, scheduler.schedulerEndpoint());
            manager = new ExecutorManager(conf, driver, backend, ExecutorSpec.fromConf(conf), clock, scheduler,
                    scheduler::mayRelease, reason -> {
                        LOG.error("Application {}: executors keep failing: {}", appId, reason);
                        scheduler.fail("executors of " + appId + " keep failing: " + reason);
                    });
            manager.start();
            manager.requestTotalExecutors(executors);
            Duration timeout = conf.get(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT);
            LOG.info("Application {}: driver at {}, waiting up to {} ms for {} executors of {}", appId, driver.url(),
                    timeout.toMillis(), executors, master);
            if (!scheduler.awaitExecutors(executors, timeout)) {
                throw new IllegalStateException("Application " + appId + ": only " + scheduler.executors().size() + " of "
                        + executors + " executors registered within " + timeout.toMillis() + " ms ("
                        + SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name() + ") on " + master
                        + "; see the executors' stderr under " + conf.get(SluiceConf.LOCAL_CLUSTER_WORK_DIR));
            }
            LOG.info("Application {}: executors {} registered, {} task slots", appId, scheduler.executors(), scheduler.slots());
            return new ExecutorCluster(appId, driver, manager, scheduler);
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
