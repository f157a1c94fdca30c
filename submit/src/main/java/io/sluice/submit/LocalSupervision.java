package io.sluice.submit;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.supervision.DriverEvent;
import io.sluice.supervision.DriverEventLog;
import io.sluice.supervision.DriverLifecycleListener;
import io.sluice.supervision.DriverRestartPolicy;
import io.sluice.supervision.DriverState;
import io.sluice.supervision.DriverSupervisor;
import io.sluice.supervision.LocalDriverLauncher;
import io.sluice.util.SystemClock;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice-submit --supervise} with a local master: the driver runs as a child JVM of this process under a
 * {@link DriverSupervisor}, started again by the {@code sluice.driver.restart.*} policy; each lifecycle event is
 * printed. Terminating this process (Ctrl-C, SIGTERM) kills the driver and ends in KILLED.
 */
final class LocalSupervision {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration KILL_GRACE = Duration.ofSeconds(30);

    private LocalSupervision() {
    }

    static int run(SluiceConf conf, Path jar, String mainClass, List<String> appArgs, PrintWriter out) throws Exception {
        if (!Files.isReadable(jar) || !Files.isRegularFile(jar)) {
            throw new SubmitException("Application jar " + jar.toAbsolutePath() + " does not exist or is not readable");
        }
        DriverRestartPolicy policy;
        try {
            policy = DriverRestartPolicy.from(conf);
        } catch (IllegalArgumentException e) {
            throw new SluiceSubmit.UsageException(e.getMessage());
        }
        String appId = conf.get(SluiceConf.APP_ID).isBlank() ? "supervised-" + System.currentTimeMillis() : conf.get(SluiceConf.APP_ID);
        var classPath = new ArrayList<String>();
        classPath.add(jar.toAbsolutePath().toString());
        SubmitRequest.paths(conf.get(SluiceConf.SUBMIT_JARS)).forEach(p -> classPath.add(p.toAbsolutePath().toString()));
        classPath.addAll(Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)));
        Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "sluice-supervise", appId));
        var launcher = new LocalDriverLauncher(appId, conf, List.of(), classPath, mainClass, appArgs, work, true);
        var listeners = new ArrayList<DriverLifecycleListener>();
        listeners.add(e -> out.println(describe(e)));
        if (!conf.get(SluiceConf.DRIVER_EVENT_LOG_DIR).isBlank()) {
            try {
                listeners.add(DriverEventLog.open(conf.get(SluiceConf.DRIVER_EVENT_LOG_DIR), appId,
                        new org.apache.hadoop.conf.Configuration()));
            } catch (IOException e) {
                throw new SubmitException("Cannot open the driver event log under "
                        + conf.get(SluiceConf.DRIVER_EVENT_LOG_DIR) + ": " + e.getMessage(), e);
            }
        }
        var supervisor = new DriverSupervisor(appId, launcher, policy, new SystemClock(), listeners, POLL, KILL_GRACE);
        var ended = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            supervisor.kill("sluice-submit was terminated");
            try {
                ended.await(KILL_GRACE.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-supervise-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            var stop = supervisor.run();
            return stop.finalState() == DriverState.SUCCEEDED ? SluiceSubmit.OK : SluiceSubmit.APP_FAILED;
        } finally {
            ended.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    static String describe(DriverEvent e) {
        if (e instanceof DriverEvent.StateChanged s) {
            String when = s.state() == DriverState.BACKING_OFF ? " for " + s.backoff().toMillis() + " ms before attempt " + s.attempt()
                    : " (attempt " + s.attempt() + ")";
            return "driver " + s.state() + when + (s.reason().isEmpty() ? "" : ": " + s.reason());
        }
        return "driver healthy (attempt " + e.attempt() + "): " + ((DriverEvent.BecameHealthy) e).reason();
    }
}
