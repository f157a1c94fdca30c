package io.sluice.yarn;

import io.sluice.cluster.AbstractClusterBackend;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorIds;
import io.sluice.cluster.ExecutorLaunchPlan;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.cluster.FinalStatus;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorMain;
import io.sluice.util.NamedThreadFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.records.Container;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.NodeReport;
import org.apache.hadoop.yarn.api.records.Priority;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.api.records.UpdatedContainer;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.async.AMRMClientAsync;
import org.apache.hadoop.yarn.client.api.async.NMClientAsync;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The YARN backend, running inside the ApplicationMaster: each executor is one YARN container running
 * {@link ExecutorMain}, started from its {@link ExecutorLaunchPlan} (the container's launch context: the plan's command
 * as a shell line with the container's java and log directory, the plan's environment plus the container class path).
 * Mechanism only — the runtime's {@code ExecutorAllocator} decides how many, and paces them.
 *
 * <pre>{@code
 * backend.start(events, mainThread, io);   // registers this attempt with the ResourceManager (AMRMClientAsync)
 * backend.launchExecutor(spec)             // one container request (heap + sluice.executor.memoryOverhead, cores; the
 *                                          // spec's preferred hosts as nodes, relaxLocality=true); the future
 *                                          // completes with <app>-exec-<attempt>-<n> at once
 *   ... RM allocates a container: it goes to the oldest pending executor preferring its host (else one without a
 *       preference, else the oldest), whose request is removed; a container no executor waits for is released at
 *       once; launch context built on `io`, started through NMClientAsync ...
 *   ... events.executorLaunched(id, host) once the NodeManager started it, or executorLost(LAUNCH_FAILED)
 * backend.releaseExecutor(id)              // pending: the request is withdrawn (removeContainerRequest, reported
 *                                          // LAUNCH_FAILED), so YARN stops allocating for it; allocated: the
 *                                          // container is released and, once the NodeManager stopped it, completes
 *                                          // (RELEASED_BY_DRIVER) and its resources are free again
 *   ... a container that completes by itself: executorLost(reason from ContainerLoss, YARN's diagnostics)
 * backend.deregister(status, diagnostics); // optional: unregisters this attempt with that final status, so YARN
 *                                          // makes no further attempt
 * backend.stop();                          // stops every container (NMClientAsync) and the RM heartbeat; it does
 *                                          // not unregister (the ApplicationMaster does, with the final status,
 *                                          // unless deregister was called)
 * }</pre>
 *
 * <p>Threading: every ResourceManager and NodeManager callback, and every public call, hops onto the single thread
 * {@code sluice-yarn-backend-<app>}, which owns the request and container maps (plain collections, no locks); a
 * throwable there goes to the fatal handler ({@link AbstractClusterBackend#guarded}). Events reach the handler on the
 * driver's main thread. Building a container's launch context (listing the staging directory on HDFS) runs on the
 * {@code io} executor.
 * Executors of a previous attempt are not kept across attempts: YARN stops them when the attempt ends.
 */
public final class YarnClusterBackend extends AbstractClusterBackend {
    private static final Logger LOG = LogManager.getLogger(YarnClusterBackend.class);
    private static final int HEARTBEAT_MILLIS = 500;
    private static final Priority EXECUTOR_PRIORITY = Priority.newInstance(1);

    private record Pending(ExecutorId id, ExecutorSpec spec, ContainerRequest request) {
        /** The nodes its request prefers; empty for anywhere. */
        List<String> nodes() {
            return request.getNodes() == null ? List.of() : request.getNodes();
        }
    }

    private static final class Running {
        final ExecutorId id;
        final Container container;
        boolean started;
        boolean released;

        Running(ExecutorId id, Container container) {
            this.id = id;
            this.container = container;
        }
    }

    private final SluiceConf conf;
    private final Configuration hadoopConf;
    private final YarnClients clients;
    private final String appId;
    private final int attempt;
    private final Path stagingDir;
    private final String amHost;
    private final ExecutorService thread;
    private final ExecutorIds ids;
    // owned by the backend thread
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<ContainerId, Running> containers = new HashMap<>();
    private final Map<ExecutorId, ContainerId> containerOf = new HashMap<>();
    private CompletableFuture<Map<String, LocalResource>> resources;
    private volatile AMRMClientAsync<ContainerRequest> rm;
    private volatile NMClientAsync nm;
    private volatile String trackingUrl = "";

    /**
     * @param stagingDir the application's staging directory, whose files every executor container gets
     * @param amHost     the host this ApplicationMaster registers as
     */
    public YarnClusterBackend(SluiceConf conf, Configuration hadoopConf, YarnClients clients, String appId, int attempt,
                              Path stagingDir, String amHost) {
        if (appId == null || appId.isBlank()) {
            throw new IllegalArgumentException(SluiceConf.APP_ID.name() + " must be set before the YARN backend is created");
        }
        this.conf = conf;
        this.hadoopConf = hadoopConf;
        this.clients = clients;
        this.appId = appId;
        this.attempt = attempt;
        this.stagingDir = stagingDir;
        this.amHost = amHost;
        this.thread = Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-yarn-backend-" + appId, true));
        this.ids = new ExecutorIds(appId, attempt);
    }

    @Override
    protected String describe() {
        return "the YARN backend of " + appId;
    }

    /**
     * Registers with the ResourceManager and starts the NodeManager client. Blocks for the registration (bounded by
     * {@code sluice.yarn.rm.connectTimeout}) and fails with the ResourceManager's answer if it is refused.
     */
    @Override
    protected void doStart() {
        rm = clients.resourceManager(HEARTBEAT_MILLIS, new RmCallbacks());
        rm.init(hadoopConf);
        rm.start();
        var timeout = conf.get(YarnConf.RM_CONNECT_TIMEOUT);
        try {
            var response = BoundedCall.call("register " + appId, timeout, () -> rm.registerApplicationMaster(amHost, 0, ""));
            LOG.info("Application {} attempt {}: registered with the ResourceManager; maximum container {}, queue {}",
                    appId, attempt, response.getMaximumResourceCapability(), response.getQueue());
        } catch (Exception e) {
            throw new IllegalStateException("Application " + appId + ": the ApplicationMaster could not register with the "
                    + "ResourceManager at " + hadoopConf.get(YarnConfiguration.RM_SCHEDULER_ADDRESS,
                    YarnConfiguration.DEFAULT_RM_SCHEDULER_ADDRESS) + " (" + YarnConf.RM_CONNECT_TIMEOUT.name() + " = "
                    + timeout.toMillis() + " ms): " + e.getMessage(), e);
        }
        nm = clients.nodeManagers(new NmCallbacks());
        nm.init(hadoopConf);
        nm.start();
    }

    @Override
    protected CompletableFuture<ExecutorId> doLaunch(ExecutorSpec spec) {
        ExecutorLaunchPlan.checkSpec(spec);
        return onThread(() -> {
            if (!isRunning()) {
                throw new IllegalStateException(describe() + " is " + state() + ", not running");
            }
            var id = ids.next();
            var capability = Resource.newInstance(spec.memoryMb() + conf.get(SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB), spec.cores());
            var request = containerRequest(capability,
                    conf.get(YarnConf.EXECUTOR_NODE_LOCALITY) ? spec.preferredHosts() : List.of());
            rm.addContainerRequest(request);
            pending.add(new Pending(id, spec, request));
            LOG.info("Application {}: requested a container {} for executor {}{}", appId, capability, id,
                    request.getNodes() == null ? "" : ", preferably on " + request.getNodes());
            return id;
        });
    }

    /**
     * The request of one executor container: anywhere, or, given preferred hosts, on those nodes with relaxed
     * locality (YARN falls back to their racks, then to any node), so a preference never keeps an executor away.
     */
    static ContainerRequest containerRequest(Resource capability, List<String> preferredHosts) {
        String[] nodes = preferredHosts.isEmpty() ? null : preferredHosts.toArray(String[]::new);
        return new ContainerRequest(capability, nodes, null, EXECUTOR_PRIORITY, true);
    }

    @Override
    public void releaseExecutor(ExecutorId id) {
        onThread(() -> {
            if (!isRunning()) {
                return null;
            }
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.id().equals(id)) {
                    it.remove();
                    rm.removeContainerRequest(p.request());
                    reportLost(id, ExecutorLossReason.LAUNCH_FAILED, "executor " + id
                            + " was released by the driver before YARN allocated its container, so it was never started");
                    return null;
                }
            }
            ContainerId cid = containerOf.get(id);
            Running r = cid == null ? null : containers.get(cid);
            if (r != null && !r.released) {
                r.released = true;
                LOG.info("Application {}: releasing executor {} (container {})", appId, id, cid);
                rm.releaseAssignedContainer(cid);
            }
            return null;
        });
    }

    /**
     * Makes {@code url} the application's tracking URL (sent with the next heartbeat), so that the ResourceManager's
     * report ({@code yarn application -status}, its web UI) links to the driver's UI. Registration happens before
     * the driver's HTTP server starts, with an empty URL, which stays when the UI is disabled.
     */
    @Override
    public void publishDriverUi(java.net.URI url) {
        onThread(() -> {
            if (isRunning()) {
                trackingUrl = url.toString();
                rm.updateTrackingUrl(url.toString());
                LOG.info("Application {} attempt {}: tracking URL is the driver UI at {}", appId, attempt, url);
            }
            return null;
        });
    }

    /**
     * Unregisters this attempt with the ResourceManager with {@code status} and {@code diagnostics} (bounded by
     * {@code sluice.yarn.rm.connectTimeout}): YARN records them as the application's final status and makes no further
     * attempt.
     *
     * @throws IllegalStateException when the ResourceManager could not be told
     */
    @Override
    protected void doDeregister(FinalStatus status, String diagnostics) {
        var timeout = conf.get(YarnConf.RM_CONNECT_TIMEOUT);
        try {
            BoundedCall.call("unregister " + appId, timeout, () -> {
                rm.unregisterApplicationMaster(FinalApplicationStatus.valueOf(status.name()), diagnostics, trackingUrl);
                return null;
            });
            LOG.info("Application {} attempt {}: unregistered as {}", appId, attempt, status);
        } catch (Exception e) {
            throw new IllegalStateException("Application " + appId + ": could not unregister as " + status
                    + " with the ResourceManager within " + timeout.toMillis() + " ms: " + e.getMessage(), e);
        }
    }

    /** Stops every container and the clients (each bounded); does not unregister. */
    @Override
    protected void doStop() {
        CompletableFuture<Void> withdrawing = onThread(() -> {
            if (rm != null) {
                pending.forEach(p -> rm.removeContainerRequest(p.request()));
            }
            pending.clear();
            return null;
        });
        try {
            await(withdrawing);
        } catch (RuntimeException e) {
            LOG.debug("Application {}: could not withdraw the pending requests: {}", appId, e.toString());
        }
        RuntimeException failure = null;
        if (nm != null) {
            try {
                nm.stop(); // stops the containers it started
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (rm != null) {
            try {
                rm.stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Application {}: the YARN backend thread did not stop within 10 s", appId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Application {}: YARN backend stopped", appId);
        if (failure != null) {
            throw failure;
        }
    }

    // ------------------------------------------------------------------ backend thread

    private void allocated(List<Container> allocated) {
        for (Container c : allocated) {
            Pending p = isRunning() ? takePendingFor(c.getNodeId().getHost()) : null;
            if (p == null) {
                LOG.info("Application {}: returning surplus container {}", appId, c.getId());
                rm.releaseAssignedContainer(c.getId());
                continue;
            }
            rm.removeContainerRequest(p.request());
            var r = new Running(p.id(), c);
            containers.put(c.getId(), r);
            containerOf.put(p.id(), c.getId());
            LOG.info("Application {}: container {} on {} allocated for executor {}", appId, c.getId(), c.getNodeId(), p.id());
            launchContext(p).whenComplete((ctx, error) -> post(() -> {
                if (error != null) {
                    LOG.error("Application {}: cannot build the launch context of executor {}", appId, p.id(), error);
                    r.released = true;
                    rm.releaseAssignedContainer(c.getId());
                    lostBeforeStart(r, "cannot build the launch context of executor " + p.id() + ": " + error);
                } else if (!r.released && isRunning()) {
                    nm.startContainerAsync(c, ctx);
                }
            }));
        }
    }

    /**
     * The pending executor a container on {@code host} goes to: the oldest that prefers that host, else the oldest
     * without a preference (keeping those that want another host waiting for it), else the oldest. Null when none is
     * pending: the container is surplus (YARN may hand out a container for a request withdrawn after its last
     * heartbeat).
     */
    private Pending takePendingFor(String host) {
        Pending chosen = null;
        for (Pending p : pending) {
            if (p.nodes().contains(host)) {
                chosen = p;
                break;
            }
            if (chosen == null || (p.nodes().isEmpty() && !chosen.nodes().isEmpty())) {
                chosen = p;
            }
        }
        if (chosen != null) {
            pending.remove(chosen);
        }
        return chosen;
    }

    private CompletableFuture<ContainerLaunchContext> launchContext(Pending p) {
        if (resources == null) {
            resources = CompletableFuture.supplyAsync(() -> {
                try {
                    FileSystem fs = stagingDir.getFileSystem(hadoopConf);
                    return YarnLaunch.localResources(fs, stagingDir);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, io());
        }
        return resources.thenApply(res -> {
            var plan = ExecutorLaunchPlan.of(conf, p.spec(), p.id(), appId, attempt);
            var env = new HashMap<>(plan.environment());
            env.put("CLASSPATH", YarnLaunch.classPath());
            String cmd = plan.shellCommand(YarnLaunch.javaCommand(conf), null, YarnLaunch.loggingOptions(res),
                    ApplicationConstants.LOG_DIR_EXPANSION_VAR);
            return ContainerLaunchContext.newInstance(res, env, List.of(cmd), null, (ByteBuffer) null, null);
        });
    }

    private void started(ContainerId cid) {
        Running r = containers.get(cid);
        if (r == null || r.started || !isRunning()) {
            return;
        }
        r.started = true;
        String host = r.container.getNodeId().getHost();
        LOG.info("Application {}: executor {} started in container {} on {}", appId, r.id, cid, host);
        reportLaunched(r.id, host);
    }

    private void startFailed(ContainerId cid, Throwable t) {
        Running r = containers.get(cid);
        if (r == null) {
            return;
        }
        r.released = true;
        rm.releaseAssignedContainer(cid);
        lostBeforeStart(r, "the NodeManager could not start container " + cid + " of executor " + r.id + ": " + t);
    }

    private void lostBeforeStart(Running r, String diagnostics) {
        containers.remove(r.container.getId());
        containerOf.remove(r.id);
        LOG.warn("Application {}: {}", appId, diagnostics);
        if (isRunning()) {
            reportLost(r.id, ExecutorLossReason.LAUNCH_FAILED, diagnostics);
        }
    }

    private void completed(List<ContainerStatus> statuses) {
        for (ContainerStatus st : statuses) {
            Running r = containers.remove(st.getContainerId());
            if (r == null) {
                continue; // a surplus container we returned, or one already reported
            }
            containerOf.remove(r.id);
            if (!isRunning()) {
                continue;
            }
            if (!r.started) {
                reportLost(r.id, ExecutorLossReason.LAUNCH_FAILED, "container " + st.getContainerId()
                        + " of executor " + r.id + " ended before it started (exit status " + st.getExitStatus() + "): "
                        + st.getDiagnostics());
                continue;
            }
            var loss = ContainerLoss.of(r.id, st, r.released);
            if (loss.reason() == ExecutorLossReason.RELEASED_BY_DRIVER) {
                LOG.info("Application {}: {}", appId, loss.diagnostics());
            } else {
                LOG.warn("Application {}: {}", appId, loss.diagnostics());
            }
            reportLost(r.id, loss.reason(), loss.diagnostics());
        }
    }

    private void fatal(Throwable t) {
        if (isRunning()) {
            LOG.error("Application {}: the ResourceManager connection failed", appId, t);
            reportFatal(t);
        }
    }

    /** Runs {@code r} on the backend thread; a throwable goes to the fatal handler. Dropped once the thread is gone. */
    private void post(Runnable r) {
        try {
            thread.execute(guarded(r));
        } catch (RejectedExecutionException e) {
            LOG.debug("Application {}: YARN callback dropped, the backend stopped", appId);
        }
    }

    private <T> CompletableFuture<T> onThread(java.util.concurrent.Callable<T> call) {
        var f = new CompletableFuture<T>();
        try {
            thread.execute(() -> {
                try {
                    f.complete(call.call());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("the YARN backend of " + appId + " is stopped", e));
        }
        return f;
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the YARN backend thread did not answer within 30 s", e);
        }
    }

    private final class RmCallbacks extends AMRMClientAsync.AbstractCallbackHandler {
        @Override
        public void onContainersCompleted(List<ContainerStatus> statuses) {
            post(() -> completed(statuses));
        }

        @Override
        public void onContainersAllocated(List<Container> allocated) {
            post(() -> allocated(allocated));
        }

        @Override
        public void onContainersUpdated(List<UpdatedContainer> containers) {
        }

        @Override
        public void onShutdownRequest() {
            post(() -> fatal(new IllegalStateException("the ResourceManager asked the ApplicationMaster of " + appId
                    + " to shut down")));
        }

        @Override
        public void onNodesUpdated(List<NodeReport> updatedNodes) {
        }

        @Override
        public float getProgress() {
            return 0.1f;
        }

        @Override
        public void onError(Throwable e) {
            post(() -> fatal(e));
        }
    }

    private final class NmCallbacks extends NMClientAsync.AbstractCallbackHandler {
        @Override
        public void onContainerStarted(ContainerId id, Map<String, ByteBuffer> allServiceResponse) {
            post(() -> started(id));
        }

        @Override
        public void onContainerStatusReceived(ContainerId id, org.apache.hadoop.yarn.api.records.ContainerStatus status) {
        }

        @Override
        public void onContainerStopped(ContainerId id) {
        }

        @Override
        public void onStartContainerError(ContainerId id, Throwable t) {
            post(() -> startFailed(id, t));
        }

        @Override
        public void onContainerResourceIncreased(ContainerId id, Resource resource) {
        }

        @Override
        public void onContainerResourceUpdated(ContainerId id, Resource resource) {
        }

        @Override
        public void onGetContainerStatusError(ContainerId id, Throwable t) {
        }

        @Override
        public void onIncreaseContainerResourceError(ContainerId id, Throwable t) {
        }

        @Override
        public void onUpdateContainerResourceError(ContainerId id, Throwable t) {
        }

        @Override
        public void onStopContainerError(ContainerId id, Throwable t) {
            LOG.warn("Application {}: could not stop container {}: {}", appId, id, t.toString());
        }
    }
}
