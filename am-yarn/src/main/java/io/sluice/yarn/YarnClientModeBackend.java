package io.sluice.yarn;

import io.sluice.cluster.AbstractClusterBackend;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.cluster.FinalStatus;
import io.sluice.conf.SluiceConf;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.deploy.Staging;
import io.sluice.deploy.SubmitRequest;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClient;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.rpc.TransportContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@code yarn} backend of a driver in client deploy mode (the driver runs in the submitting JVM): {@link #start}
 * submits an ApplicationMaster in executor-launcher mode ({@link ExecutorLauncher}) with the application jar
 * ({@code sluice.submit.appJar}) and Sluice's jars, waits until it connected back, and from then on forwards launches
 * and releases to it; its events arrive on the driver's {@value LauncherMessages#DRIVER_ENDPOINT} endpoint, in the
 * order the launcher's backend reported them. {@link #stop} ends the launcher (SUCCEEDED, or the status given to
 * {@link #deregister}), waits for the application to end (bounded) and removes its staging directory.
 */
final class YarnClientModeBackend extends AbstractClusterBackend {
    private static final Logger LOG = LogManager.getLogger(YarnClientModeBackend.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final SluiceConf conf;
    private final Configuration hadoopConf;
    private final CompletableFuture<InetSocketAddress> ready = new CompletableFuture<>();
    private TransportContext transport;
    private YarnSubmitter submitter;
    private String yarnApp;
    private volatile RpcClient launcher;
    private volatile FinalStatus finalStatus = FinalStatus.SUCCEEDED;
    private volatile String diagnostics = "";

    YarnClientModeBackend(SluiceConf conf, Configuration hadoopConf) {
        this.conf = conf;
        this.hadoopConf = hadoopConf;
    }

    @Override
    protected String describe() {
        return "the YARN client-mode backend of " + conf.get(SluiceConf.APP_ID);
    }

    @Override
    protected void doStart() {
        String jar = conf.get(SluiceConf.SUBMIT_APP_JAR);
        if (jar.isBlank()) {
            throw new IllegalStateException("Client deploy mode on YARN needs the application jar for the executors: set "
                    + SluiceConf.SUBMIT_APP_JAR.name() + " (sluice-submit does)");
        }
        transport = new TransportContext(conf); // a failure below stops the backend (AbstractClusterBackend)
        var server = transport.startServer(conf.get(SluiceConf.DRIVER_HOST), 0);
        transport.dispatcher().registerEndpoint(LauncherMessages.DRIVER_ENDPOINT, new RpcEndpoint() {
            @Override
            public Object receive(RpcCallContext ctx, Object message) {
                if (!isRunning()) {
                    return false;
                }
                if (message instanceof LauncherMessages.Ready r) {
                    ready.complete(new InetSocketAddress(r.host(), r.port()));
                } else if (message instanceof LauncherMessages.Launched l) {
                    reportLaunched(new ExecutorId(l.executorId()), l.host());
                } else if (message instanceof LauncherMessages.Lost l) {
                    reportLost(new ExecutorId(l.executorId()), ExecutorLossReason.valueOf(l.reason()), l.diagnostics());
                } else if (message instanceof LauncherMessages.Fatal f) {
                    reportFatal(new IllegalStateException("the YARN executor launcher failed: " + f.message()));
                }
                return true;
            }
        });
        String driverUrl = conf.get(SluiceConf.DRIVER_HOST) + ":" + server.address().getPort();
        submitter = new YarnSubmitter(hadoopConf, conf, line -> LOG.info("{}", line));
        yarnApp = submitter.submitLauncher(new SubmitRequest(Path.of(jar), "executor launcher of " + conf.get(SluiceConf.APP_ID),
                List.of(), conf, Staging.sluiceJars(conf)), driverUrl);
        InetSocketAddress address = awaitLauncher(conf.get(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT));
        launcher = transport.clientFactory().client(address);
        LOG.info("Application {}: executor launcher {} ready at {}", conf.get(SluiceConf.APP_ID), yarnApp, address);
    }

    /** Waits for the launcher's {@link LauncherMessages.Ready}, failing early with YARN's diagnostics if it ended. */
    private InetSocketAddress awaitLauncher(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                try {
                    return ready.get(500, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    ApplicationStatus st = submitter.status(yarnApp);
                    if (st.ended()) {
                        throw new IllegalStateException("The YARN executor launcher " + yarnApp + " ended before it connected: "
                                + st.describe());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The YARN executor launcher " + yarnApp + " did not connect within "
                                + timeout.toMillis() + " ms (" + SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name() + "): " + st.describe());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the YARN executor launcher", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    protected CompletableFuture<ExecutorId> doLaunch(ExecutorSpec spec) {
        return launcher.<String>ask(LauncherMessages.LAUNCHER_ENDPOINT,
                new LauncherMessages.Launch(spec.cores(), spec.memoryMb(), new java.util.HashMap<>(spec.environment()),
                        new java.util.ArrayList<>(spec.preferredHosts())))
                .thenApply(ExecutorId::new);
    }

    @Override
    public void releaseExecutor(ExecutorId id) {
        if (launcher != null && isRunning()) {
            launcher.send(LauncherMessages.LAUNCHER_ENDPOINT, new LauncherMessages.Release(id.value()));
        }
    }

    /** Sent to the launcher, which makes it the tracking URL of its YARN application. */
    @Override
    public void publishDriverUi(java.net.URI url) {
        if (launcher != null && isRunning()) {
            launcher.send(LauncherMessages.LAUNCHER_ENDPOINT, new LauncherMessages.DriverUi(url.toString()));
        }
    }

    /** Remembered, and sent with the launcher's shutdown at {@link #stop}: the launcher unregisters with it. */
    @Override
    protected void doDeregister(FinalStatus status, String diagnostics) {
        this.finalStatus = status;
        this.diagnostics = diagnostics;
    }

    @Override
    protected void doStop() {
        try {
            if (launcher != null) {
                try {
                    launcher.ask(LauncherMessages.LAUNCHER_ENDPOINT, new LauncherMessages.Shutdown("the driver stopped",
                                    finalStatus.name(), diagnostics))
                            .get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    LOG.warn("Could not tell the YARN executor launcher {} to stop: {}", yarnApp, e.toString());
                }
            }
            if (submitter != null && yarnApp != null) {
                try {
                    ApplicationStatus end = submitter.awaitCompletion(yarnApp, STOP_WAIT);
                    if (!end.ended()) {
                        LOG.warn("The YARN executor launcher {} did not end within {} s; killing it", yarnApp, STOP_WAIT.toSeconds());
                        submitter.kill(yarnApp);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.warn("Could not follow the YARN executor launcher {} to its end: {}", yarnApp, e.toString());
                }
            }
        } finally {
            if (submitter != null) {
                submitter.close();
            }
            if (transport != null) {
                transport.close();
            }
        }
    }

    /** The YARN application of the executor launcher, once started. */
    String yarnApplication() {
        return yarnApp;
    }
}
