package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorMessages.ExecutorMetrics;
import io.sluice.executor.ExecutorMessages.Heartbeat;
import io.sluice.executor.ExecutorMessages.HeartbeatReply;
import io.sluice.executor.ExecutorMessages.RegisterExecutor;
import io.sluice.executor.ExecutorMessages.Registered;
import io.sluice.executor.ExecutorMessages.RegistrationRejected;
import io.sluice.executor.ExecutorMessages.StopExecutor;
import io.sluice.rpc.ConnectionClosedException;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.util.Clock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's record of its executors, served as the {@value ExecutorMessages#REGISTRY_ENDPOINT} RPC endpoint:
 * accepts registrations, records heartbeats, declares executors lost when they fall silent, and stops them.
 *
 * <p>An executor may register only after {@link #expect} announced its id (the owner calls it when a backend
 * accepted the launch, before the process starts), only once, and only for this application; otherwise it is
 * rejected with the reason. {@link #runOnce} (driven by the owner's loop with the injected {@link Clock}) declares
 * every registered executor whose last heartbeat — or registration — is more than {@code sluice.executor.lostTimeout}
 * old lost, exactly once, with {@link ExecutorLossReason#HEARTBEAT_TIMEOUT}; its later heartbeats are answered
 * "unknown", which makes it exit. {@link #remove} forgets an executor the backend reported gone, without notifying.
 *
 * <p>Threading: thread-safe (the endpoint runs on an RPC dispatcher thread, {@code runOnce} on the owner's). The
 * {@link Listener} is called outside the registry's lock, on whichever of those threads caused the event, so it
 * should hop onto its own thread; it is called at most once per registration and at most once per loss.
 */
public final class ExecutorRegistry implements RpcEndpoint {
    private static final Logger LOG = LogManager.getLogger(ExecutorRegistry.class);

    /** What the registry reports. */
    public interface Listener {
        void executorRegistered(ExecutorInfo executor);

        void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics);
    }

    /**
     * One registered executor, as last heard from.
     *
     * @param lastMetrics null until the first heartbeat
     */
    public record ExecutorInfo(ExecutorId id, String host, int port, int cores, long pid, long registeredAtMs,
                               long lastHeartbeatMs, ExecutorMetrics lastMetrics) {
        public InetSocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        ExecutorInfo heardAt(long nowMs, ExecutorMetrics metrics) {
            return new ExecutorInfo(id, host, port, cores, pid, registeredAtMs, nowMs, metrics);
        }
    }

    private final String appId;
    private final Map<String, String> driverConf;
    private final Duration lostTimeout;
    private final Duration askTimeout;
    private final Clock clock;
    private final RpcClientFactory clients;
    private final Listener listener;

    private final Object lock = new Object();
    private final Set<ExecutorId> expected = new HashSet<>();
    private final Map<ExecutorId, ExecutorInfo> registered = new LinkedHashMap<>();
    private final Set<ExecutorId> gone = new HashSet<>();

    /**
     * @param conf    the driver's configuration: sent to executors at registration; gives the lost timeout
     * @param clients connects to executors' RPC servers (to stop them)
     */
    public ExecutorRegistry(String appId, SluiceConf conf, Clock clock, RpcClientFactory clients, Listener listener) {
        this.appId = appId;
        this.driverConf = new TreeMap<>(conf.asMap());
        this.lostTimeout = conf.get(SluiceConf.EXECUTOR_LOST_TIMEOUT);
        this.askTimeout = conf.get(SluiceConf.RPC_ASK_TIMEOUT);
        Duration interval = conf.get(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL);
        if (lostTimeout.compareTo(interval) <= 0) {
            throw new IllegalArgumentException(SluiceConf.EXECUTOR_LOST_TIMEOUT.name() + " (" + lostTimeout.toMillis()
                    + " ms) must be above " + SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL.name() + " (" + interval.toMillis()
                    + " ms), or every executor would be declared lost between two heartbeats");
        }
        this.clock = clock;
        this.clients = clients;
        this.listener = listener;
    }

    /** Allows {@code id} to register once. Idempotent. */
    public void expect(ExecutorId id) {
        synchronized (lock) {
            if (!registered.containsKey(id) && !gone.contains(id)) {
                expected.add(id);
            }
        }
    }

    @Override
    public Object receive(RpcCallContext ctx, Object message) {
        if (message instanceof RegisterExecutor r) {
            return register(r);
        }
        if (message instanceof Heartbeat h) {
            return heartbeat(h);
        }
        throw new IllegalArgumentException("the executor registry does not handle " + message.getClass().getName());
    }

    ExecutorMessages.RegistrationReply register(RegisterExecutor r) {
        ExecutorInfo info;
        synchronized (lock) {
            String refusal = null;
            if (!appId.equals(r.appId())) {
                refusal = "executor " + r.id() + " belongs to application " + r.appId() + ", this driver runs " + appId;
            } else if (registered.containsKey(r.id())) {
                ExecutorInfo existing = registered.get(r.id());
                refusal = "executor " + r.id() + " is already registered (from " + existing.host() + ":" + existing.port()
                        + ", pid " + existing.pid() + ")";
            } else if (gone.contains(r.id())) {
                refusal = "executor " + r.id() + " was already declared lost";
            } else if (!expected.contains(r.id())) {
                refusal = "executor " + r.id() + " is unknown: this driver did not launch it";
            }
            if (refusal != null) {
                LOG.warn("Application {}: rejected registration from {}:{} (pid {}): {}", appId, r.host(), r.port(), r.pid(), refusal);
                return new RegistrationRejected(refusal);
            }
            long now = clock.currentTimeMillis();
            expected.remove(r.id());
            info = new ExecutorInfo(r.id(), r.host(), r.port(), r.cores(), r.pid(), now, now, null);
            registered.put(r.id(), info);
        }
        LOG.info("Application {}: executor {} registered from {}:{} with {} cores (pid {})", appId, r.id(), r.host(),
                r.port(), r.cores(), r.pid());
        listener.executorRegistered(info);
        return new Registered(new TreeMap<>(driverConf));
    }

    HeartbeatReply heartbeat(Heartbeat h) {
        synchronized (lock) {
            ExecutorInfo info = registered.get(h.id());
            if (info == null) {
                LOG.warn("Application {}: heartbeat {} from executor {}, which is not registered{}", appId, h.sequence(),
                        h.id(), gone.contains(h.id()) ? " (declared lost)" : "");
                return new HeartbeatReply(false);
            }
            registered.put(h.id(), info.heardAt(clock.currentTimeMillis(), h.metrics()));
            return new HeartbeatReply(true);
        }
    }

    /** Declares executors silent for longer than the lost timeout lost; returns them. */
    public List<ExecutorId> runOnce(long nowMs) {
        var lost = new ArrayList<ExecutorInfo>();
        synchronized (lock) {
            for (ExecutorInfo info : registered.values()) {
                if (nowMs - info.lastHeartbeatMs() > lostTimeout.toMillis()) {
                    lost.add(info);
                }
            }
            for (ExecutorInfo info : lost) {
                registered.remove(info.id());
                gone.add(info.id());
            }
        }
        var ids = new ArrayList<ExecutorId>();
        for (ExecutorInfo info : lost) {
            String diagnostics = "no heartbeat from executor " + info.id() + " (" + info.host() + ":" + info.port()
                    + ", pid " + info.pid() + ") for " + (nowMs - info.lastHeartbeatMs()) + " ms, more than "
                    + SluiceConf.EXECUTOR_LOST_TIMEOUT.name() + " = " + lostTimeout.toMillis() + " ms";
            LOG.warn("Application {}: executor {} lost: {}", appId, info.id(), diagnostics);
            listener.executorLost(info.id(), ExecutorLossReason.HEARTBEAT_TIMEOUT, diagnostics);
            ids.add(info.id());
        }
        return ids;
    }

    /**
     * Forgets an executor its backend reported gone (or that was released); it can no longer register or
     * heartbeat. The listener is not called. Returns true if it was registered.
     */
    public boolean remove(ExecutorId id) {
        synchronized (lock) {
            expected.remove(id);
            gone.add(id);
            return registered.remove(id) != null;
        }
    }

    /**
     * Asks a registered executor to exit. The future completes with true once the executor accepted (or its
     * connection closed after the request, as it does when the executor exits before its reply is sent), false if it
     * is not registered, and fails if it cannot be reached within {@code sluice.rpc.askTimeout}. The executor stays
     * registered until its backend reports the exit (or it falls silent).
     */
    public CompletableFuture<Boolean> stopExecutor(ExecutorId id, String reason) {
        ExecutorInfo info;
        synchronized (lock) {
            info = registered.get(id);
        }
        if (info == null) {
            return CompletableFuture.completedFuture(false);
        }
        LOG.info("Application {}: stopping executor {} at {}:{} ({})", appId, id, info.host(), info.port(), reason);
        return clients.clientAsync(info.address())
                .thenCompose(c -> c.<Boolean>ask(ExecutorMessages.EXECUTOR_ENDPOINT, new StopExecutor(reason), askTimeout))
                .exceptionally(t -> {
                    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                    if (cause instanceof ConnectionClosedException) {
                        // the request was written and the executor went away before its reply: it is stopping (or dead)
                        return true;
                    }
                    throw t instanceof RuntimeException r ? r : new CompletionException(t);
                });
    }

    public List<ExecutorInfo> executors() {
        synchronized (lock) {
            return List.copyOf(registered.values());
        }
    }

    public boolean isRegistered(ExecutorId id) {
        synchronized (lock) {
            return registered.containsKey(id);
        }
    }
}
