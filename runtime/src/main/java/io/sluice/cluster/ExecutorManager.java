package io.sluice.cluster;

import io.sluice.conf.SluiceConf;
import io.sluice.control.FailureWindow;
import io.sluice.control.RestartBackoff;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.executor.ExecutorMessages;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's executors, assembled: a {@link ClusterBackend} (mechanism), the shared {@link ExecutorAllocator}
 * (policy) and the {@link ExecutorRegistry} (registration and liveness), all driven from one thread.
 *
 * <pre>{@code
 * var driver = new DriverEndpoints(conf);                            // the driver's RPC server
 * var backend = ClusterManagers.forMaster(master, loader).orElseThrow().create(conf);
 * var executors = new ExecutorManager(conf, driver, backend, spec, clock, listener, releasable);
 * executors.start();                                                  // backend.start, registry endpoint, ticks
 * executors.requestTotalExecutors(2);                                 // launches; children register themselves
 * ...                                                                 // listener: registered / lost, on the main thread
 * executors.stop();                                                   // asks executors to stop, then backend.stop()
 * driver.close();
 * }</pre>
 *
 * <p>Threading: the allocator and every event run on the single thread {@code sluice-executor-manager} (backend
 * events, registry events, and a tick every {@code min(heartbeatInterval, 1 s)} that runs
 * {@link ExecutorRegistry#runOnce} then {@link ExecutorAllocator#runOnce}); blocking backend work runs on
 * {@code sluice-cluster-io-N}. Public methods are thread-safe and hop onto the main thread, waiting at most
 * {@code sluice.rpc.askTimeout}.
 *
 * <p>Events: {@code listener.executorRegistered} once per executor that registered, and {@code listener.executorLost}
 * exactly once for each of them afterwards — whether the backend saw the process end, the registry heard no
 * heartbeat, or the allocator released it — always on the main thread. A registered executor that stops
 * heartbeating is also released through the backend, so no silent process lingers.
 */
public final class ExecutorManager {
    private static final Logger LOG = LogManager.getLogger(ExecutorManager.class);

    private final String appId;
    private final ClusterBackend backend;
    private final ExecutorRegistry registry;
    private final ExecutorAllocator allocator;
    private final ExecutorRegistry.Listener listener;
    private final Clock clock;
    private final Duration tick;
    private final Duration callTimeout;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final ScheduledExecutorService mainThread;
    private final ExecutorService io;
    private final Set<ExecutorId> announced = new HashSet<>(); // main thread
    private volatile Thread mainThreadRef;
    private boolean started; // main thread
    private boolean stopped; // guarded by this

    /**
     * @param spec       cores and memory of each executor; the driver's URL and the app id are added to its environment
     * @param listener   told of registrations and losses, on the main thread
     * @param releasable which registered executors the allocator may release (not those hosting a receiver or the only
     *                   copy of a block), called on the main thread
     * @param onFatal    called once (main thread) when executors failed beyond {@code sluice.executor.maxFailures}
     */
    public ExecutorManager(SluiceConf conf, DriverEndpoints driver, ClusterBackend backend, ExecutorSpec spec, Clock clock,
                           ExecutorRegistry.Listener listener, Predicate<ExecutorId> releasable, Consumer<String> onFatal) {
        this(conf, driver, backend, spec, clock, listener, releasable, onFatal, List::of);
    }

    /**
     * @param localityHint the registered executors new ones should run next to (hosting receivers, received blocks or
     *                     state), most important first; called on the main thread before each launch, must not block.
     *                     Launches prefer those executors' hosts ({@link ExecutorSpec#preferredHosts()}).
     */
    public ExecutorManager(SluiceConf conf, DriverEndpoints driver, ClusterBackend backend, ExecutorSpec spec, Clock clock,
                           ExecutorRegistry.Listener listener, Predicate<ExecutorId> releasable, Consumer<String> onFatal,
                           Supplier<List<ExecutorId>> localityHint) {
        this.appId = conf.get(SluiceConf.APP_ID);
        if (appId.isBlank()) {
            throw new IllegalArgumentException(SluiceConf.APP_ID.name() + " must be set before executors are managed");
        }
        this.backend = backend;
        this.listener = listener;
        this.clock = clock;
        Duration heartbeat = conf.get(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL);
        this.tick = heartbeat.compareTo(Duration.ofSeconds(1)) < 0 ? heartbeat : Duration.ofSeconds(1);
        this.callTimeout = conf.get(SluiceConf.RPC_ASK_TIMEOUT);
        // a backend's start may wait for its cluster manager (YARN client mode: for the launcher application to run and
        // connect back, bounded by the registration timeout)
        this.startTimeout = callTimeout.plus(conf.get(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT));
        this.stopTimeout = conf.get(SluiceConf.EXECUTOR_STOP_GRACE);
        this.mainThread = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("sluice-executor-manager", true));
        this.io = Executors.newFixedThreadPool(2, new NamedThreadFactory("sluice-cluster-io", true));
        mainThread.execute(() -> mainThreadRef = Thread.currentThread());
        this.registry = new ExecutorRegistry(appId, conf, clock, driver.clients(), new RegistryEvents());
        driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);

        var env = new HashMap<>(spec.environment());
        env.put(ExecutorLaunchSettings.DRIVER_URL, driver.url());
        env.put(ExecutorLaunchSettings.APP_ID, appId);
        this.allocator = new ExecutorAllocator(new RegistryAwareBackend(),
                new ExecutorSpec(spec.cores(), spec.memoryMb(), env, spec.preferredHosts()),
                clock, mainThread, conf.get(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT),
                new RestartBackoff(conf.get(SluiceConf.EXECUTOR_FAILURE_BACKOFF), conf.get(SluiceConf.EXECUTOR_MAX_FAILURE_BACKOFF), 2.0),
                new FailureWindow(conf.get(SluiceConf.EXECUTOR_MAX_FAILURES), conf.get(SluiceConf.EXECUTOR_FAILURE_WINDOW)),
                releasable, onFatal, localityHint, new ExecutorAllocator.Pacing(conf.get(SluiceConf.EXECUTOR_MAX_PENDING_LAUNCHES),
                        conf.get(SluiceConf.EXECUTOR_LAUNCH_TIMEOUT)));
    }

    /**
     * Starts the backend and the tick. Call once. Waits for the backend's start at most {@code sluice.rpc.askTimeout}
     * plus {@code sluice.executor.registrationTimeout}.
     */
    public void start() {
        onMain(startTimeout, () -> {
            if (started) {
                throw new IllegalStateException("executor manager of " + appId + " already started");
            }
            started = true;
            backend.start(new BackendEvents(), mainThread, io);
            return null;
        });
        mainThread.scheduleWithFixedDelay(this::runOnce, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Tells the cluster manager the application ended with {@code status} (see {@link ClusterBackend#deregister}); call
     * before {@link #stop()}. No executor is launched afterwards.
     */
    public void deregister(FinalStatus status, String diagnostics) {
        onMain(() -> {
            allocator.stopLaunching();
            return null;
        });
        backend.deregister(status, diagnostics);
    }

    /** Tells the backend where the driver's HTTP server is (see {@link ClusterBackend#publishDriverUi}); never throws. */
    public void publishDriverUi(java.net.URI url) {
        try {
            backend.publishDriverUi(url);
        } catch (RuntimeException e) {
            LOG.warn("[{}] The cluster backend could not publish the driver UI {}: {}", appId, url, e.toString());
        }
    }

    /** Sets the number of executors wanted (see {@link ExecutorAllocator#requestTotalExecutors}). */
    public void requestTotalExecutors(int total) {
        onMain(() -> {
            allocator.requestTotalExecutors(total);
            return null;
        });
    }

    /**
     * The allocator as an {@link io.sluice.control.ExecutorAllocationClient}, for a dynamic allocation controller.
     * Its methods may only be called on the main thread, i.e. from tasks given to {@link #scheduleOnMain}.
     */
    public io.sluice.control.ExecutorAllocationClient allocationClient() {
        return allocator;
    }

    /**
     * Runs {@code first} on the main thread now, then {@code each} there every {@code period} (fixed delay) until the
     * returned handle is closed or the manager stops. A call that throws is logged with {@code what}; later calls
     * still happen. Closing the handle is idempotent and does not wait for a call in progress.
     */
    public AutoCloseable scheduleOnMain(String what, Runnable first, Runnable each, Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period of " + what + " must be > 0, got " + period);
        }
        mainThread.execute(() -> guarded(what, first));
        var future = mainThread.scheduleWithFixedDelay(() -> guarded(what, each), period.toMillis(), period.toMillis(),
                TimeUnit.MILLISECONDS);
        return () -> future.cancel(false);
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("Application {}: {} failed; it runs again at its next turn", appId, what, e);
        }
    }

    public List<ExecutorInfo> registeredExecutors() {
        return registry.executors();
    }

    public List<ExecutorId> runningExecutors() {
        return onMain(allocator::running);
    }

    public boolean isFailed() {
        return onMain(allocator::isFailed);
    }

    /** The registry, for endpoints that need to reach executors (e.g. to stop one). */
    public ExecutorRegistry registry() {
        return registry;
    }

    private void runOnce() {
        try {
            long now = clock.currentTimeMillis();
            registry.runOnce(now);
            allocator.runOnce(now);
        } catch (RuntimeException e) {
            LOG.error("Application {}: executor bookkeeping failed", appId, e); // keep ticking
        }
    }

    /**
     * Asks every registered executor to stop (waiting at most {@code sluice.executor.stopGracePeriod}), stops the
     * backend (which terminates whatever still runs), then the main and I/O threads. Idempotent; the driver's RPC
     * server stays up (its owner closes it). Throws the backend's failure, if any.
     */
    public void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        var stops = new ArrayList<CompletableFuture<Boolean>>();
        for (ExecutorInfo e : registry.executors()) {
            stops.add(registry.stopExecutor(e.id(), "the application is stopping")
                    .exceptionally(t -> {
                        LOG.warn("Application {}: could not ask executor {} to stop: {}", appId, e.id(), t.toString());
                        return false;
                    }));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("Application {}: not every executor acknowledged the stop within {} ms", appId, stopTimeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            backend.stop();
        } finally {
            mainThread.shutdownNow();
            io.shutdownNow();
            awaitQuietly(mainThread);
            awaitQuietly(io);
            LOG.info("Application {}: executor manager stopped", appId);
        }
    }

    private <T> T onMain(Callable<T> call) {
        return onMain(callTimeout, call);
    }

    private <T> T onMain(Duration timeout, Callable<T> call) {
        if (Thread.currentThread() == mainThreadRef) {
            try {
                return call.call(); // e.g. a listener calling back: waiting for ourselves would deadlock
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        var result = new CompletableFuture<T>();
        mainThread.execute(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the executor manager's main thread did not answer within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void awaitQuietly(ExecutorService s) {
        try {
            if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("A thread of the executor manager did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forwards a loss of a registered executor to the listener, once: only the caller that removed it reports. */
    private void lost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
        registry.remove(id);
        if (announced.remove(id)) {
            listener.executorLost(id, reason, diagnostics);
        }
    }

    /** The allocator's view of the backend: launched ids are announced to the registry, released ones forgotten. */
    private final class RegistryAwareBackend implements ClusterBackend {
        @Override
        public void start(ExecutorEventHandler events, java.util.concurrent.Executor main, java.util.concurrent.Executor ioExecutor) {
            throw new UnsupportedOperationException("started by the ExecutorManager");
        }

        @Override
        public CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec) {
            // thenApply runs as the backend completes the future, i.e. before the process can start and register
            return backend.launchExecutor(spec).thenApply(id -> {
                registry.expect(id);
                return id;
            });
        }

        @Override
        public void releaseExecutor(ExecutorId id) {
            lost(id, ExecutorLossReason.RELEASED_BY_DRIVER, "released by the executor allocator");
            backend.releaseExecutor(id);
        }

        @Override
        public void deregister(FinalStatus status, String diagnostics) {
            backend.deregister(status, diagnostics);
        }

        @Override
        public void stop() {
            backend.stop();
        }
    }

    /** Backend events (posted to the main thread by the backend; hopped again when they are not). */
    private final class BackendEvents implements ExecutorEventHandler {
        @Override
        public void executorLaunched(ExecutorId id, String host) {
            mainThread.execute(() -> allocator.executorLaunched(id, host));
        }

        @Override
        public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
            mainThread.execute(() -> {
                lost(id, reason, diagnostics);
                allocator.executorLost(id, reason, diagnostics);
            });
        }

        @Override
        public void executorsRecovered(List<ExecutorId> ids) {
            mainThread.execute(() -> allocator.executorsRecovered(ids));
        }

        @Override
        public void fatalError(Throwable error) {
            mainThread.execute(() -> allocator.fatalError(error));
        }
    }

    /** Registry events, from an RPC dispatcher thread or the tick, hopped onto the main thread. */
    private final class RegistryEvents implements ExecutorRegistry.Listener {
        @Override
        public void executorRegistered(ExecutorInfo executor) {
            mainThread.execute(() -> {
                if (registry.isRegistered(executor.id())) { // not released or lost meanwhile
                    allocator.onRegistered(executor.id());
                    announced.add(executor.id());
                    listener.executorRegistered(executor);
                }
            });
        }

        @Override
        public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
            // the registry already forgot it; the process may still run (hung), so release it too
            mainThread.execute(() -> {
                if (announced.remove(id)) {
                    listener.executorLost(id, reason, diagnostics);
                }
                allocator.executorLost(id, reason, diagnostics);
                backend.releaseExecutor(id);
            });
        }
    }
}
