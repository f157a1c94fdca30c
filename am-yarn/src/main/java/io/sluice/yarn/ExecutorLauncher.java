package io.sluice.yarn;

import io.sluice.cluster.ExecutorEventHandler;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.rpc.TransportContext;
import io.sluice.util.NamedThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The ApplicationMaster of client deploy mode: the driver runs in the submitting JVM, and this process only turns
 * its {@link LauncherMessages.Launch}/{@link LauncherMessages.Release} into executor containers through a
 * {@link YarnClusterBackend}, sending the backend's events back to the driver. It ends when the driver sends
 * {@link LauncherMessages.Shutdown} (SUCCEEDED) or its connection to the driver closes (FAILED: the driver is gone,
 * so its executors would be useless); either way YARN stops the containers when the attempt ends.
 */
final class ExecutorLauncher {
    private static final Logger LOG = LogManager.getLogger(ExecutorLauncher.class);

    /** How the launcher ended; {@code finalStatus} and {@code diagnostics} as the driver gave them (when byDriver). */
    record Ending(boolean byDriver, String reason, String finalStatus, String diagnostics) {
        Ending(boolean byDriver, String reason) {
            this(byDriver, reason, byDriver ? "SUCCEEDED" : "FAILED", "");
        }
    }

    private ExecutorLauncher() {
    }

    /** Runs until the driver ends it or goes away; returns how it ended. */
    static Ending run(SluiceConf conf, InetSocketAddress driver, int attempt, Path staging, String host) throws Exception {
        String appId = conf.get(SluiceConf.APP_ID);
        var ended = new CompletableFuture<Ending>();
        ExecutorService io = Executors.newFixedThreadPool(2, new NamedThreadFactory("sluice-launcher-io", true));
        try (var transport = new TransportContext(conf)) {
            var server = transport.startServer(host, 0);
            RpcClient toDriver = transport.clientFactory().client(driver);
            var backend = new YarnClusterBackend(conf, new YarnConfiguration(), YarnClients.real(), appId, attempt, staging, host);
            transport.dispatcher().registerEndpoint(LauncherMessages.LAUNCHER_ENDPOINT, new RpcEndpoint() {
                @Override
                public Object receive(RpcCallContext ctx, Object message) {
                    if (message instanceof LauncherMessages.Launch l) {
                        return backend.launchExecutor(new ExecutorSpec(l.cores(), l.memoryMb(), l.environment(), l.preferredHosts()))
                                .thenApply(ExecutorId::value);
                    } else if (message instanceof LauncherMessages.Release r) {
                        backend.releaseExecutor(new ExecutorId(r.executorId()));
                        return true;
                    } else if (message instanceof LauncherMessages.DriverUi ui) {
                        backend.publishDriverUi(java.net.URI.create(ui.url()));
                        return true;
                    } else if (message instanceof LauncherMessages.Shutdown s) {
                        ended.complete(new Ending(true, s.reason(), s.finalStatus(), s.diagnostics()));
                        return true;
                    }
                    throw new IllegalArgumentException("unexpected message " + message);
                }
            });
            backend.start(new ExecutorEventHandler() {
                @Override
                public void executorLaunched(ExecutorId id, String h) {
                    toDriver.send(LauncherMessages.DRIVER_ENDPOINT, new LauncherMessages.Launched(id.value(), h));
                }

                @Override
                public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                    toDriver.send(LauncherMessages.DRIVER_ENDPOINT, new LauncherMessages.Lost(id.value(), reason.name(), diagnostics));
                }

                @Override
                public void executorsRecovered(List<ExecutorId> ids) {
                }

                @Override
                public void fatalError(Throwable error) {
                    toDriver.send(LauncherMessages.DRIVER_ENDPOINT, new LauncherMessages.Fatal(String.valueOf(error)));
                }
            }, Runnable::run, io);
            try {
                var address = server.address();
                toDriver.ask(LauncherMessages.DRIVER_ENDPOINT, new LauncherMessages.Ready(host, address.getPort()))
                        .get(conf.get(SluiceConf.RPC_ASK_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Application {}: executor launcher on {}:{} serves the driver at {}", appId, host, address.getPort(), driver);
                toDriver.closeFuture().thenRun(() -> ended.complete(new Ending(false, "the connection to the driver at "
                        + driver + " closed")));
                Ending e = awaitEnd(ended);
                LOG.info("Application {}: executor launcher ending: {}", appId, e.reason());
                return e;
            } finally {
                backend.stop();
            }
        } finally {
            io.shutdownNow();
        }
    }

    private static Ending awaitEnd(CompletableFuture<Ending> ended) throws InterruptedException {
        while (true) {
            try {
                return ended.get(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.debug("executor launcher still serving its driver");
            } catch (java.util.concurrent.ExecutionException e) {
                return new Ending(false, String.valueOf(e.getCause()));
            }
        }
    }
}
