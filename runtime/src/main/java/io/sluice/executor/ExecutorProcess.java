package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorMessages.ExecutorMetrics;
import io.sluice.executor.ExecutorMessages.Heartbeat;
import io.sluice.executor.ExecutorMessages.HeartbeatReply;
import io.sluice.executor.ExecutorMessages.RegisterExecutor;
import io.sluice.executor.ExecutorMessages.Registered;
import io.sluice.executor.ExecutorMessages.RegistrationRejected;
import io.sluice.executor.ExecutorMessages.RegistrationReply;
import io.sluice.executor.ExecutorMessages.StopExecutor;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.RpcServer;
import io.sluice.rpc.TransportContext;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The life of one executor JVM, apart from {@code main}: start its RPC server, register with the driver, heartbeat,
 * and end when the driver says so, when the driver stays unreachable, or when {@link #terminate} is called.
 *
 * <pre>{@code
 * var process = new ExecutorProcess(settings, new SluiceConf(), new SystemClock());
 * ExecutorExitCode code = process.run();   // blocks for the executor's lifetime
 * // from a shutdown hook: process.terminate("SIGTERM"); process.awaitStopped(timeout);
 * }</pre>
 *
 * <p>{@link #run} may be called once. It registers (retrying until {@code sluice.network.timeout} while the driver
 * cannot be reached), adopts the driver's configuration for keys not set locally, then heartbeats every
 * {@code sluice.executor.heartbeatInterval} on the thread {@code sluice-executor-heartbeat}. It returns the first of:
 * {@link ExecutorExitCode#STOPPED} (the driver's {@link StopExecutor}, or {@link #terminate}),
 * {@link ExecutorExitCode#REGISTRATION_REJECTED}, {@link ExecutorExitCode#DRIVER_UNREACHABLE} (no successful
 * registration or heartbeat for longer than the network timeout), {@link ExecutorExitCode#FORGOTTEN_BY_DRIVER}. It
 * closes its transport before returning. {@link #terminate} is thread-safe and idempotent.
 *
 * <p>Seam for task execution: {@link ExecutorServices} start once the executor is registered (with the driver's
 * configuration) and can register endpoints (task launch, block fetches) on the executor's transport; they are
 * closed before it. The {@value ExecutorMessages#EXECUTOR_ENDPOINT} endpoint handles the driver's commands.
 */
public final class ExecutorProcess {
    private static final Logger LOG = LogManager.getLogger(ExecutorProcess.class);
    private static final long RETRY_DELAY_MS = 500;

    private final ExecutorLaunchSettings settings;
    private final SluiceConf conf;
    private final Clock clock;
    private final ExecutorId id;
    private final ExecutorServices services;
    private final CompletableFuture<ExecutorExitCode> exit = new CompletableFuture<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile InetSocketAddress advertised;
    private volatile String exitReason = "";
    private long heartbeats;
    private long lastContactMs;

    public ExecutorProcess(ExecutorLaunchSettings settings, SluiceConf conf, Clock clock) {
        this(settings, conf, clock, ExecutorServices.NONE);
    }

    /** @param services started once registered, closed before the transport (see {@link ExecutorServices}) */
    public ExecutorProcess(ExecutorLaunchSettings settings, SluiceConf conf, Clock clock, ExecutorServices services) {
        this.settings = settings;
        this.conf = conf.copy();
        this.clock = clock;
        this.id = settings.executorId();
        this.services = services;
    }

    /** Runs the executor until it should exit; returns why. */
    public ExecutorExitCode run() {
        TransportContext transport = null;
        ScheduledExecutorService heartbeater = null;
        boolean servicesStarted = false;
        try {
            transport = new TransportContext(conf);
            String bind = settings.bindHost() == null ? "0.0.0.0" : settings.bindHost();
            RpcServer server = transport.startServer(bind, 0);
            server.registerEndpoint(ExecutorMessages.EXECUTOR_ENDPOINT, this::receive);
            var driver = new InetSocketAddress(settings.driver().getHostString(), settings.driver().getPort());
            LOG.info("Executor {} of {} attempt {} ({} cores, pid {}) starting; RPC server on {}, driver at {}", id,
                    settings.appId(), settings.attempt(), settings.cores(), ProcessHandle.current().pid(), server.address(), driver);

            if (!register(transport, server, driver)) {
                return exit.join();
            }
            servicesStarted = true;
            services.start(new ExecutorServices.Context(id, settings.appId(), settings.cores(), conf, transport, driver));
            Duration interval = conf.get(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL);
            heartbeater = Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("sluice-executor-heartbeat", true));
            TransportContext t = transport;
            heartbeater.scheduleWithFixedDelay(() -> heartbeat(t, driver), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
            return awaitExit(interval);
        } catch (Exception e) {
            finish(ExecutorExitCode.FAILED, "unexpected failure: " + e);
            LOG.error("Executor {} of {} failed", id, settings.appId(), e);
            return exit.join();
        } finally {
            if (heartbeater != null) {
                heartbeater.shutdownNow();
                awaitQuietly(heartbeater);
            }
            if (servicesStarted) {
                try {
                    services.close();
                } catch (RuntimeException e) {
                    LOG.warn("Executor {} of {}: closing its services failed", id, settings.appId(), e);
                }
            }
            if (transport != null) {
                transport.close();
            }
            LOG.info("Executor {} of {} stopped with exit code {}: {}", id, settings.appId(),
                    exit.getNow(ExecutorExitCode.FAILED).code(), exitReason);
            stopped.countDown();
        }
    }

    /** Asks {@link #run} to return {@link ExecutorExitCode#STOPPED} (e.g. on SIGTERM). Idempotent. */
    public void terminate(String why) {
        finish(ExecutorExitCode.STOPPED, why);
    }

    /** Waits until {@link #run} has closed everything; false on timeout. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes with the exit code once the executor has decided to exit. */
    public CompletableFuture<ExecutorExitCode> exitDecision() {
        return exit.copy();
    }

    /** The address of this executor's RPC server as told to the driver; null before registration. */
    public InetSocketAddress advertisedAddress() {
        return advertised;
    }

    /** The executor's endpoint: commands from the driver. */
    Object receive(RpcCallContext ctx, Object message) {
        if (message instanceof StopExecutor stop) {
            finish(ExecutorExitCode.STOPPED, "the driver asked it to stop (" + stop.reason() + ")");
            return Boolean.TRUE;
        }
        throw new IllegalArgumentException("executor " + id + " does not handle " + message.getClass().getName());
    }

    private boolean register(TransportContext transport, RpcServer server, InetSocketAddress driver) {
        Duration networkTimeout = conf.get(SluiceConf.NETWORK_TIMEOUT);
        long deadline = clock.currentTimeMillis() + networkTimeout.toMillis();
        int attempt = 0;
        while (!exit.isDone()) {
            attempt++;
            try {
                RpcClient client = awaitOrExit(transport.clientFactory().clientAsync(driver),
                        transport.settings().connectTimeout().toMillis() + 1000);
                if (client == null) {
                    return false; // terminated while connecting
                }
                String host = settings.bindHost() != null && !settings.bindHost().equals("0.0.0.0") ? settings.bindHost()
                        : ((InetSocketAddress) client.localAddress()).getAddress().getHostAddress();
                var request = new RegisterExecutor(id, settings.appId(), host, server.address().getPort(),
                        settings.cores(), ProcessHandle.current().pid());
                long left = Math.max(1, deadline - clock.currentTimeMillis());
                Duration timeout = Duration.ofMillis(Math.min(left, transport.settings().askTimeout().toMillis()));
                RegistrationReply reply = awaitOrExit(client.<RegistrationReply>ask(ExecutorMessages.REGISTRY_ENDPOINT, request, timeout),
                        timeout.toMillis() + 1000);
                if (reply == null) {
                    return false; // terminated while waiting for the driver
                }
                if (reply instanceof RegistrationRejected rejected) {
                    finish(ExecutorExitCode.REGISTRATION_REJECTED, "the driver at " + driver + " rejected it: " + rejected.reason());
                    return false;
                }
                adopt(((Registered) reply).driverConf());
                advertised = new InetSocketAddress(host, server.address().getPort());
                lastContactMs = clock.currentTimeMillis();
                LOG.info("Executor {} of {} registered with the driver at {} as {}", id, settings.appId(), driver, advertised);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finish(ExecutorExitCode.FAILED, "interrupted while registering");
                return false;
            } catch (RuntimeException | ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                long now = clock.currentTimeMillis();
                if (now >= deadline) {
                    finish(ExecutorExitCode.DRIVER_UNREACHABLE, "could not register with the driver at " + driver + " within "
                            + networkTimeout.toMillis() + " ms (" + SluiceConf.NETWORK_TIMEOUT.name() + "), " + attempt
                            + " attempts; last error: " + cause);
                    return false;
                }
                LOG.warn("Executor {} of {}: registration attempt {} with {} failed ({}); retrying", id, settings.appId(),
                        attempt, driver, cause.toString());
                waitForExit(Math.min(RETRY_DELAY_MS, deadline - now));
            }
        }
        return false;
    }

    /**
     * Waits for {@code f} or for the exit decision, whichever comes first: {@code f}'s value (or its failure, as
     * {@link ExecutionException}), or null once the executor decided to exit.
     */
    private <T> T awaitOrExit(CompletableFuture<T> f, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        // f is never cancelled: a connect future is shared by the client factory, and asks time out by themselves
        try {
            CompletableFuture.anyOf(f, exit).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // f failed (the exit decision never fails): f.get() below throws its cause
        }
        return f.isDone() ? f.get() : null;
    }

    /** Adopts the driver's settings for every key this JVM did not set itself. */
    private void adopt(java.util.Map<String, String> driverConf) {
        driverConf.forEach((k, v) -> {
            if (!conf.contains(k)) {
                conf.set(k, v);
            }
        });
    }

    private void heartbeat(TransportContext transport, InetSocketAddress driver) {
        if (exit.isDone()) {
            return;
        }
        long sequence = ++heartbeats;
        Duration networkTimeout = conf.get(SluiceConf.NETWORK_TIMEOUT);
        Duration timeout = min(networkTimeout, transport.settings().askTimeout());
        try {
            RpcClient client = transport.clientFactory().client(driver);
            HeartbeatReply reply = client.<HeartbeatReply>ask(ExecutorMessages.REGISTRY_ENDPOINT,
                            new Heartbeat(id, sequence, ExecutorMetrics.ofThisJvm(services.taskCounts())), timeout)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            lastContactMs = clock.currentTimeMillis();
            if (!reply.known()) {
                finish(ExecutorExitCode.FORGOTTEN_BY_DRIVER, "the driver at " + driver
                        + " no longer knows it (declared lost); its replacement takes over");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down
        } catch (RuntimeException | ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            long silentMs = clock.currentTimeMillis() - lastContactMs;
            if (silentMs > networkTimeout.toMillis()) {
                finish(ExecutorExitCode.DRIVER_UNREACHABLE, "no heartbeat reached the driver at " + driver + " for "
                        + silentMs + " ms, more than " + SluiceConf.NETWORK_TIMEOUT.name() + " = " + networkTimeout.toMillis()
                        + " ms; last error: " + cause);
            } else {
                LOG.warn("Executor {} of {}: heartbeat {} to {} failed after {} ms without contact: {}", id,
                        settings.appId(), sequence, driver, silentMs, cause.toString());
            }
        }
    }

    private ExecutorExitCode awaitExit(Duration poll) {
        while (true) {
            try {
                return exit.get(Math.max(poll.toMillis(), 100), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // keep waiting: the executor lives until told otherwise
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                finish(ExecutorExitCode.FAILED, "interrupted");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // never completed exceptionally
            }
        }
    }

    private void waitForExit(long ms) {
        try {
            exit.get(Math.max(1, ms), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // retry
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(ExecutorExitCode.FAILED, "interrupted");
        }
    }

    private void finish(ExecutorExitCode code, String why) {
        if (exit.complete(code)) {
            exitReason = why;
            if (code == ExecutorExitCode.STOPPED) {
                LOG.info("Executor {} of {} exiting: {}", id, settings.appId(), why);
            } else {
                LOG.error("Executor {} of {} exiting with code {}: {}", id, settings.appId(), code.code(), why);
                System.err.println("Executor " + id + " of " + settings.appId() + " exiting with code " + code.code()
                        + " (" + code.description() + "): " + why);
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void awaitQuietly(ScheduledExecutorService s) {
        try {
            if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("The heartbeat thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
