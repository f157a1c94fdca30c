package io.sluice.scheduler;

import io.sluice.cluster.ExecutorId;
import io.sluice.executor.DriverEndpoints;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverMessages;
import io.sluice.receiver.ReceiverMessages.AddBlock;
import io.sluice.receiver.ReceiverMessages.GetPeers;
import io.sluice.receiver.ReceiverMessages.Peers;
import io.sluice.receiver.ReceiverMessages.RemoveBlocks;
import io.sluice.receiver.ReceiverMessages.StartReceiver;
import io.sluice.receiver.ReceiverMessages.StopReceiver;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.receiver.ReceiverTracker;
import io.sluice.rpc.RpcCallContext;
import io.sluice.scheduler.ClusterTaskScheduler.ReceiverHost;
import io.sluice.serde.Serializer;
import io.sluice.util.NamedThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Places receivers on executors: the driver side of receivers on a cluster, used by the {@link ReceiverTracker} as
 * its {@link ReceiverTracker.ReceiverLauncher}.
 *
 * <p>Each receiver is serialized once (a receiver that cannot be serialized fails {@link #start} naming its stream)
 * and placed on an executor that gives it a core ({@link ClusterTaskScheduler#reserveReceiverCore}: receivers spread
 * over executors, and that core is no task slot any more), by asking the executor's
 * {@value ReceiverMessages#RECEIVERS_ENDPOINT} endpoint with {@link StartReceiver}. When no executor has a core
 * left, or the start fails, placement is retried every {@link #RETRY} on the {@code sluice-receiver-placer} thread
 * until it succeeds or the launcher stops. When the executor hosting a receiver is lost, the receiver is placed
 * again, preferring another executor; the blocks it stored keep counting through their surviving copies.
 *
 * <p>The driver's {@value ReceiverMessages#TRACKER_ENDPOINT} endpoint, registered from {@link #start} to the end of
 * {@link #stop}, takes {@link AddBlock} reports (handed to {@link ReceiverTracker#addBlock}) and answers
 * {@link GetPeers} with the other registered executors, where supervisors copy replicated blocks, and posts the
 * receivers' {@link ReceiverMessages.ReceiverEvent}s to the tracker's listener bus. A lost executor's address is
 * removed from the blocks' locations ({@link ReceiverTracker#locationLost}), and a copy counts only at an executor the
 * scheduler runs tasks on ({@link #isLive}): a peer lost while a block was reported is no copy. While running it
 * keeps the allocator from releasing an executor that holds the only copy of a block
 * ({@link ClusterTaskScheduler#mayRelease}); the scheduler itself keeps it from releasing one hosting a receiver.
 *
 * <p>Threading: thread-safe; placements run on the placer thread, loss notifications arrive on the executor
 * manager's thread.
 */
public final class ClusterReceivers implements ReceiverTracker.ReceiverLauncher {
    private static final Logger LOG = LogManager.getLogger(ClusterReceivers.class);
    /** How long to wait before placing a receiver again after no executor could take it. */
    static final Duration RETRY = Duration.ofMillis(500);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final String appId;
    private final ClusterTaskScheduler scheduler;
    private final DriverEndpoints driver;
    private final Serializer serializer;
    private final ReceiverSupervisor.Settings settings;
    private final Duration askTimeout;
    private final ScheduledThreadPoolExecutor placer;
    private final java.util.function.BiConsumer<ExecutorId, String> lossListener = this::executorLost;
    private final java.util.function.Predicate<ExecutorId> releaseGuard = this::holdsNoOnlyCopy;

    private final Object lock = new Object();
    private final Map<Integer, byte[]> shipped = new LinkedHashMap<>(); // guarded by lock
    private final Map<Integer, ReceiverHost> placed = new HashMap<>(); // guarded by lock
    private final Map<Integer, Integer> placements = new HashMap<>(); // guarded by lock: how often each was placed
    private final Set<Integer> waitingForCore = new HashSet<>(); // guarded by lock: told once, not every retry
    private final Map<Integer, Long> latestRates = new HashMap<>(); // guarded by lock: backpressure's, per stream
    private ReceiverTracker tracker; // guarded by lock
    private boolean stopped; // guarded by lock

    /**
     * @param serializer the application's serializer (receivers are shipped with it)
     * @param settings   the supervisors' settings, sent with every receiver
     */
    public ClusterReceivers(String appId, ClusterTaskScheduler scheduler, DriverEndpoints driver, Serializer serializer,
                            ReceiverSupervisor.Settings settings, Duration askTimeout) {
        this.appId = appId;
        this.scheduler = scheduler;
        this.driver = driver;
        this.serializer = serializer;
        this.settings = settings;
        this.askTimeout = askTimeout;
        var executor = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("sluice-receiver-placer", true));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.placer = executor;
    }

    @Override
    public void start(Map<Integer, Receiver<?>> receivers, ReceiverTracker tracker) {
        var bytes = new LinkedHashMap<Integer, byte[]>();
        for (var e : receivers.entrySet()) {
            try {
                bytes.put(e.getKey(), serializer.serialize(e.getValue()));
            } catch (RuntimeException ex) {
                throw new IllegalStateException("The receiver " + e.getValue().getClass().getName() + " of stream "
                        + e.getKey() + " cannot be serialized to run on an executor: " + ex.getMessage(), ex);
            }
        }
        synchronized (lock) {
            this.tracker = tracker;
            shipped.putAll(bytes);
        }
        driver.registerEndpoint(ReceiverMessages.TRACKER_ENDPOINT, this::receive);
        scheduler.addLossListener(lossListener);
        scheduler.addReleaseGuard(releaseGuard);
        for (Integer streamId : bytes.keySet()) {
            placer.execute(() -> place(streamId, Set.of()));
        }
    }

    private Object receive(RpcCallContext ctx, Object message) {
        if (message instanceof AddBlock add) {
            trackerOrNull().addBlock(add.toInfo());
            return Boolean.TRUE;
        }
        if (message instanceof ReceiverMessages.ReceiverEvent event) {
            trackerOrNull().postEvent(event.toEvent());
            return Boolean.TRUE;
        }
        if (message instanceof GetPeers get) {
            return new Peers(scheduler.peersOf(get.executorId()).toArray(String[]::new));
        }
        throw new IllegalArgumentException("the " + ReceiverMessages.TRACKER_ENDPOINT + " endpoint does not handle "
                + message.getClass().getName());
    }

    /** A block's copy counts only at an executor that is registered, ready and not lost or being released. */
    @Override
    public boolean isLive(String location) {
        return scheduler.hasExecutorAt(location);
    }

    /** Release guard: an executor holding the only copy of a received block must stay. */
    private boolean holdsNoOnlyCopy(ExecutorId id) {
        ReceiverTracker t = trackerOrNull();
        String location = scheduler.locationOf(id);
        return t == null || location == null || !t.holdsOnlyCopy(location);
    }

    private ReceiverTracker trackerOrNull() {
        synchronized (lock) {
            return tracker;
        }
    }

    /** On the placer thread: puts the receiver of {@code streamId} on an executor, preferably not one of {@code avoid}. */
    private void place(int streamId, Set<ExecutorId> avoid) {
        byte[] receiver;
        synchronized (lock) {
            if (stopped || placed.containsKey(streamId)) {
                return;
            }
            receiver = shipped.get(streamId);
        }
        Optional<ReceiverHost> reserved = scheduler.reserveReceiverCore(avoid);
        if (reserved.isEmpty()) {
            boolean first;
            synchronized (lock) {
                first = waitingForCore.add(streamId);
            }
            if (first) {
                LOG.info("Application {}: no executor has a core for the receiver of stream {} yet; trying every {} ms",
                        appId, streamId, RETRY.toMillis());
            } else {
                LOG.debug("Application {}: still no core for the receiver of stream {}", appId, streamId);
            }
            retry(streamId, avoid);
            return;
        }
        ReceiverHost host = reserved.get();
        ReceiverTracker tracker = trackerOrNull();
        var start = new StartReceiver(streamId, receiver, host.location(), settings.blockInterval().toMillis(),
                settings.maxRatePerSecond(), settings.restartDelay().toMillis(), settings.maxRestartDelay().toMillis(),
                settings.initialRatePerSecond(), tracker == null ? null : tracker.receivedDataLogDir(streamId));
        try {
            driver.clients().client(host.address()).ask(ReceiverMessages.RECEIVERS_ENDPOINT, start, askTimeout)
                    .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.releaseReceiverCore(host.id());
            return;
        } catch (Exception e) {
            LOG.warn("Application {}: could not start the receiver of stream {} on executor {}: {}; placing it again",
                    appId, streamId, host.id(), e.toString());
            scheduler.releaseReceiverCore(host.id());
            var next = new HashSet<>(avoid);
            next.add(host.id());
            retry(streamId, next);
            return;
        }
        boolean lostMeanwhile = !scheduler.executors().contains(host.id());
        synchronized (lock) {
            waitingForCore.remove(streamId);
            if (!lostMeanwhile) {
                placed.put(streamId, host);
                placements.merge(streamId, 1, Integer::sum);
            }
        }
        if (lostMeanwhile) {
            LOG.warn("Application {}: executor {} was lost while the receiver of stream {} started there; placing it again",
                    appId, host.id(), streamId);
            retry(streamId, Set.of(host.id()));
        } else {
            LOG.info("Application {}: receiver of stream {} runs on executor {} ({})", appId, streamId, host.id(),
                    host.location());
            Long rate;
            synchronized (lock) {
                rate = latestRates.get(streamId);
            }
            if (rate != null) {
                sendRate(streamId, host, rate);
            }
        }
    }

    /**
     * Sends backpressure's latest rate one-way to the executor running the receiver of {@code streamId}; a receiver
     * placed later (again) gets it once it started.
     */
    @Override
    public void updateRateLimit(int streamId, long ratePerSecond) {
        ReceiverHost host;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            latestRates.put(streamId, ratePerSecond);
            host = placed.get(streamId);
        }
        if (host != null) {
            sendRate(streamId, host, ratePerSecond);
        }
    }

    private void sendRate(int streamId, ReceiverHost host, long ratePerSecond) {
        var message = new ReceiverMessages.UpdateRateLimit(streamId, ratePerSecond);
        driver.clients().clientAsync(host.address())
                .thenCompose(c -> c.send(ReceiverMessages.RECEIVERS_ENDPOINT, message))
                .whenComplete((v, t) -> {
                    if (t != null) {
                        LOG.warn("Application {}: could not send rate {} records/s to the receiver of stream {} on "
                                + "executor {}: {}", appId, ratePerSecond, streamId, host.id(), t.toString());
                    }
                });
    }

    private void retry(int streamId, Set<ExecutorId> avoid) {
        try {
            placer.schedule(() -> place(streamId, avoid), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("Application {}: not placing the receiver of stream {}: stopping", appId, streamId);
        }
    }

    /**
     * An executor was lost: the tracker forgets the block copies it held, and a receiver it hosted is placed again,
     * elsewhere if possible.
     */
    private void executorLost(ExecutorId id, String location) {
        var again = new ArrayList<Integer>();
        ReceiverTracker t = trackerOrNull();
        if (location != null && t != null) {
            t.locationLost(location);
        }
        synchronized (lock) {
            if (stopped) {
                return;
            }
            for (var e : new ArrayList<>(placed.entrySet())) {
                if (e.getValue().id().equals(id)) {
                    placed.remove(e.getKey());
                    again.add(e.getKey());
                }
            }
        }
        for (int streamId : again) {
            LOG.warn("Application {}: executor {} hosting the receiver of stream {} was lost; restarting the receiver on "
                    + "another executor", appId, id, streamId);
            try {
                placer.execute(() -> place(streamId, Set.of(id)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("Application {}: not placing the receiver of stream {}: stopping", appId, streamId);
            }
        }
    }

    /** Where the receiver of {@code streamId} runs now; empty while it is being placed. */
    public Optional<ExecutorId> hostOf(int streamId) {
        synchronized (lock) {
            ReceiverHost h = placed.get(streamId);
            return h == null ? Optional.empty() : Optional.of(h.id());
        }
    }

    /** How often the receiver of {@code streamId} was started on an executor (1 + restarts after executor losses). */
    public int placements(int streamId) {
        synchronized (lock) {
            return placements.getOrDefault(streamId, 0);
        }
    }

    @Override
    public void stop(boolean graceful) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        scheduler.removeLossListener(lossListener);
        scheduler.removeReleaseGuard(releaseGuard);
        // a placement under way finishes (bounded by the ask timeout), so that the receiver it starts is stopped below
        placer.shutdown();
        try {
            if (!placer.awaitTermination(askTimeout.toMillis() + 2000, TimeUnit.MILLISECONDS)) {
                LOG.warn("Application {}: the receiver placer did not end in time", appId);
                placer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            placer.shutdownNow();
        }
        Map<Integer, ReceiverHost> toStop;
        synchronized (lock) {
            toStop = new HashMap<>(placed);
            placed.clear();
        }
        var replies = new ArrayList<CompletableFuture<Object>>();
        for (var e : toStop.entrySet()) {
            ReceiverHost host = e.getValue();
            replies.add(driver.clients().clientAsync(host.address())
                    .thenCompose(c -> c.<Object>ask(ReceiverMessages.RECEIVERS_ENDPOINT,
                            new StopReceiver(e.getKey(), graceful), STOP_TIMEOUT))
                    .whenComplete((v, t) -> {
                        scheduler.releaseReceiverCore(host.id());
                        if (t != null) {
                            LOG.warn("Application {}: could not stop the receiver of stream {} on executor {}: {}", appId,
                                    e.getKey(), host.id(), t.toString());
                        }
                    }));
        }
        try {
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                    .get(STOP_TIMEOUT.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Application {}: not every receiver stopped cleanly: {}", appId, e.toString());
        }
        driver.transport().dispatcher().unregisterEndpoint(ReceiverMessages.TRACKER_ENDPOINT);
        LOG.info("Application {}: stopped {} receiver(s) on executors{}", appId, toStop.size(), graceful ? " gracefully" : "");
    }

    @Override
    public void removeBlocks(List<ReceivedBlockInfo> blocks) {
        var byLocation = new HashMap<String, List<String>>();
        for (ReceivedBlockInfo b : blocks) {
            for (String location : b.locations()) {
                byLocation.computeIfAbsent(location, k -> new ArrayList<>()).add(b.blockId());
            }
        }
        for (var e : byLocation.entrySet()) {
            InetSocketAddress address = parse(e.getKey());
            var message = new RemoveBlocks(e.getValue().toArray(String[]::new));
            driver.clients().clientAsync(address).thenCompose(c -> c.send(ReceiverMessages.RECEIVERS_ENDPOINT, message))
                    .whenComplete((v, t) -> {
                        if (t != null) {
                            LOG.debug("Application {}: could not remove {} block(s) at {}: {}", appId, e.getValue().size(),
                                    e.getKey(), t.toString());
                        }
                    });
        }
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return "ClusterReceivers[" + appId + "]";
    }
}
