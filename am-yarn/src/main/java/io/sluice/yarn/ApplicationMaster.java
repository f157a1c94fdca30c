package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import io.sluice.supervision.AttemptLimit;
import io.sluice.supervision.AttemptRecord;
import io.sluice.supervision.DriverEventLog;
import io.sluice.supervision.DriverExitCode;
import io.sluice.supervision.DriverLifecycle;
import io.sluice.supervision.DriverLifecycleListener;
import io.sluice.supervision.DriverOutcome;
import io.sluice.supervision.DriverProgress;
import io.sluice.supervision.DriverRestartPolicy;
import io.sluice.supervision.DriverRunner;
import io.sluice.supervision.DriverState;
import io.sluice.supervision.RestartDecision;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import io.sluice.util.SystemClock;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.ApplicationConstants.Environment;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.InvalidApplicationMasterRequestException;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The ApplicationMaster's main, cluster deploy mode: runs the user's main class (the driver) in this JVM with
 * {@code sluice.master=yarn}, so its {@code SluiceContext} takes the {@link YarnClusterBackend}, which registers
 * this attempt with the ResourceManager and launches the executor containers. It is the driver's supervisor on
 * YARN: it reports the driver's lifecycle ({@link DriverLifecycle}: STARTING, RUNNING, healthy, BACKING_OFF,
 * SUCCEEDED, FAILED) and asks the shared {@link DriverRestartPolicy} ({@code sluice.driver.restart.*}) what follows
 * the driver's end, giving it YARN's attempt history and YARN's own cap on attempts ({@link AttemptLimit}); it only
 * does what YARN needs:
 * <ul>
 *   <li>the policy ends the application (success, a permanent failure such as a missing main class, a failure
 *       beyond the budget or beyond YARN's attempts): unregister with that final status and the reason as
 *       diagnostics, remove the staging directory;</li>
 *   <li>the policy restarts the driver: exit with {@link DriverExitCode#FAILED} <em>without</em> unregistering, so
 *       YARN starts attempt n+1, whose ApplicationMaster first waits out the policy's backoff and then runs the
 *       user's main again (recovering through {@code StreamingContext.getOrCreate} from its checkpoint). Waiting in
 *       the next attempt also covers an attempt that died without deciding (SIGKILL, a lost node).</li>
 * </ul>
 *
 * <p>Arguments: {@code --class <main class> [--arg <arg>]...}. Configuration: {@code __sluice_conf__/sluice.conf}
 * (written by the submitter) becomes {@code sluice.*} system properties, plus {@code sluice.master=yarn},
 * {@code sluice.app.id=<YARN application id>}, {@code sluice.app.attempt=<attempt>},
 * {@code sluice.driver.progressFile} and, unless set, {@code sluice.driver.host=<this node>}.
 */
public final class ApplicationMaster {
    private static final Logger LOG = LogManager.getLogger(ApplicationMaster.class);
    static final int EXIT_FAILED = DriverExitCode.FAILED.code();
    static final int EXIT_BAD_ARGS = DriverExitCode.FAILED_PERMANENTLY.code();
    private static final String PROGRESS_FILE = "driver-progress";
    private static final Duration HEALTH_POLL = Duration.ofMillis(500);

    private ApplicationMaster() {
    }

    public static void main(String[] args) {
        String mainClass = null;
        String driver = null;
        var userArgs = new ArrayList<String>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--class" -> mainClass = args[i + 1];
                case "--launcher" -> driver = args[i + 1];
                case "--arg" -> userArgs.add(args[i + 1]);
                default -> {
                    System.err.println("ApplicationMaster: unknown argument " + args[i] + " in " + Arrays.toString(args));
                    System.exit(EXIT_BAD_ARGS);
                }
            }
        }
        if ((mainClass == null) == (driver == null) || args.length % 2 != 0) {
            System.err.println("Usage: ApplicationMaster --class <main class> [--arg <arg>]... | --launcher <driver host:port>");
            System.exit(EXIT_BAD_ARGS);
        }
        var cid = ContainerId.fromString(System.getenv(Environment.CONTAINER_ID.name()));
        String appId = cid.getApplicationAttemptId().getApplicationId().toString();
        int attempt = cid.getApplicationAttemptId().getAttemptId();
        int maxAttempts = Integer.parseInt(System.getenv().getOrDefault(YarnLaunch.ENV_MAX_ATTEMPTS, "1"));
        long validityMs = Long.parseLong(System.getenv().getOrDefault(YarnLaunch.ENV_ATTEMPT_VALIDITY_MS, "0"));
        var limit = new AttemptLimit(maxAttempts, Duration.ofMillis(validityMs), "YARN makes at most " + maxAttempts
                + " attempts" + (validityMs > 0 ? " within " + validityMs + " ms" : "") + " ("
                + YarnConf.MAX_APP_ATTEMPTS.name() + ", yarn.resourcemanager.am.max-attempts"
                + (validityMs > 0 ? ", " + YarnConf.ATTEMPT_FAILURES_VALIDITY.name() : "") + ")");
        String host = System.getenv().getOrDefault(Environment.NM_HOST.name(), "localhost");
        System.exit(driver != null ? runLauncher(driver, appId, attempt, host)
                : run(mainClass, userArgs, cid.getApplicationAttemptId(), limit, host));
    }

    /** Client deploy mode: manage executor containers for the driver at {@code driverUrl} until it is done. */
    static int runLauncher(String driverUrl, String appId, int attempt, String host) {
        try {
            loadConfiguration(null, attempt, host); // the driver's sluice.app.id names the executors
            var conf = new SluiceConf();
            int colon = driverUrl.lastIndexOf(':');
            var driver = new java.net.InetSocketAddress(driverUrl.substring(0, colon), Integer.parseInt(driverUrl.substring(colon + 1)));
            var ending = ExecutorLauncher.run(conf, driver, attempt, new Path(System.getenv(YarnLaunch.ENV_STAGING_DIR)), host);
            if (ending.byDriver()) {
                var status = FinalApplicationStatus.valueOf(ending.finalStatus());
                return finish(appId, status, ending.diagnostics(), status == FinalApplicationStatus.SUCCEEDED ? 0 : EXIT_FAILED);
            }
            return finish(appId, FinalApplicationStatus.FAILED, "executor launcher: " + ending.reason(), EXIT_FAILED);
        } catch (Exception e) {
            LOG.error("Application {}: the executor launcher failed", appId, e);
            return finish(appId, FinalApplicationStatus.FAILED, "the executor launcher failed: " + e, EXIT_FAILED);
        }
    }

    static int run(String mainClass, List<String> userArgs, ApplicationAttemptId attemptId, AttemptLimit limit,
                   String host) {
        String appId = attemptId.getApplicationId().toString();
        int attempt = attemptId.getAttemptId();
        SluiceConf conf;
        DriverRestartPolicy policy;
        try {
            loadConfiguration(appId, attempt, host);
            conf = new SluiceConf();
            policy = DriverRestartPolicy.from(conf);
        } catch (IOException | RuntimeException e) {
            LOG.error("Application {} attempt {}: cannot read the configuration the submitter staged", appId, attempt, e);
            return finish(appId, FinalApplicationStatus.FAILED, "the ApplicationMaster cannot read its configuration: " + e,
                    EXIT_FAILED);
        }
        Configuration hadoopConf = YarnClusterManagerFactory.hadoopConf(conf);
        String stagingEnv = System.getenv(YarnLaunch.ENV_STAGING_DIR);
        Path staging = stagingEnv == null ? null : new Path(stagingEnv);
        var clock = new SystemClock();
        var lifecycle = new DriverLifecycle(appId, clock, DriverState.SUBMITTED, attempt, attempt > 1,
                eventLog(conf, appId, hadoopConf));
        List<AttemptHistory.Earlier> earlierReports = earlierAttempts(attemptId, hadoopConf, staging);
        List<AttemptRecord> earlier = earlierReports.stream().map(AttemptHistory.Earlier::record).toList();
        if (attempt > 1) {
            Optional<String> stop = backOff(policy, earlierReports, attempt, limit, lifecycle, clock);
            if (stop.isPresent()) {
                return finish(appId, FinalApplicationStatus.FAILED, stop.get(), EXIT_FAILED);
            }
        }
        LOG.info("Application {} attempt {} ({}): running driver {} {} on {}", appId, attempt, limit.describedAs(),
                mainClass, userArgs, host);
        lifecycle.moveTo(DriverState.STARTING, attempt, "");
        var health = new HealthWatch(policy, lifecycle, attempt, hadoopConf, staging, clock);
        DriverOutcome outcome;
        try {
            outcome = DriverRunner.run(mainClass, userArgs.toArray(String[]::new), ApplicationMaster.class.getClassLoader());
        } finally {
            health.close();
        }
        RestartDecision decision = policy.decide(earlier, attempt, health.healthyAt(), outcome, clock.currentTimeMillis(), limit);
        if (decision instanceof RestartDecision.Restart r) {
            AttemptHistory.markFailed(hadoopConf, staging, attempt, r.reason());
            LOG.error("Application {} attempt {} ({}): the driver failed; exiting without unregistering so YARN starts "
                    + "attempt {} after {} ms", appId, attempt, limit.describedAs(), attempt + 1, r.delay().toMillis(),
                    outcome instanceof DriverOutcome.Failed f && f.error() != null ? f.error() : outcome.describe());
            LogManager.shutdown();
            return outcome instanceof DriverOutcome.Succeeded ? EXIT_FAILED : outcome.exitCode();
        }
        var stop = (RestartDecision.Stop) decision;
        lifecycle.moveTo(stop.finalState(), attempt, stop.reason());
        return switch (stop.finalState()) {
            case SUCCEEDED -> {
                LOG.info("Application {} attempt {}: the driver finished", appId, attempt);
                yield finish(appId, FinalApplicationStatus.SUCCEEDED, "", 0);
            }
            case KILLED -> finish(appId, FinalApplicationStatus.KILLED, stop.reason(), outcome.exitCode());
            default -> {
                if (outcome instanceof DriverOutcome.Failed f && f.error() != null) {
                    LOG.error("Application {} attempt {}: the driver failed", appId, attempt, f.error());
                }
                yield finish(appId, FinalApplicationStatus.FAILED, outcome instanceof DriverOutcome.FailedPermanently
                        ? stop.reason() : "the driver failed on attempt " + attempt + ": " + stop.reason(), outcome.exitCode());
            }
        };
    }

    /**
     * Attempt n > 1: replays the policy's decision on attempt n-1 (which may have died without deciding) and waits
     * out what remains of its backoff; or, if the policy would not have restarted it, the reason to end with.
     */
    private static Optional<String> backOff(DriverRestartPolicy policy, List<AttemptHistory.Earlier> earlierReports,
                                            int attempt, AttemptLimit limit, DriverLifecycle lifecycle, Clock clock) {
        List<AttemptRecord> earlier = earlierReports.stream().map(AttemptHistory.Earlier::record).toList();
        AttemptRecord previous = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
        if (previous == null || previous.attempt() != attempt - 1) {
            lifecycle.backOff(attempt, Duration.ZERO, "attempt " + (attempt - 1) + " did not fail (as YARN reports it)");
            return Optional.empty();
        }
        var failure = new DriverOutcome.Failed(earlierReports.get(earlierReports.size() - 1).reason(), null);
        RestartDecision d = policy.decide(earlier.subList(0, earlier.size() - 1), previous.attempt(),
                previous.healthyAtMs(), failure, previous.endedAtMs(), limit);
        if (d instanceof RestartDecision.Stop s) {
            lifecycle.moveTo(DriverState.FAILED, attempt, s.reason());
            return Optional.of("not restarting the driver: " + s.reason());
        }
        var restart = (RestartDecision.Restart) d;
        lifecycle.backOff(attempt, restart.delay(), restart.reason());
        long until = previous.endedAtMs() + restart.delay().toMillis();
        while (clock.currentTimeMillis() < until) {
            clock.waitTillTime(until, 1_000);
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return Optional.empty();
    }

    private static List<AttemptHistory.Earlier> earlierAttempts(ApplicationAttemptId attemptId, Configuration conf,
                                                                Path staging) {
        try {
            return AttemptHistory.earlierFailures(attemptId, conf, staging);
        } catch (IOException | YarnException | RuntimeException e) {
            // a streaming job is not ended because the ResourceManager could not answer a question: YARN's own cap
            // on attempts still bounds the restarts
            LOG.warn("Application {}: cannot ask the ResourceManager when earlier attempts failed ({}); deciding as if "
                    + "they had not", attemptId.getApplicationId(), e.toString());
            return List.of();
        }
    }

    private static List<DriverLifecycleListener> eventLog(SluiceConf conf, String appId, Configuration hadoopConf) {
        String dir = conf.get(SluiceConf.DRIVER_EVENT_LOG_DIR);
        if (dir.isBlank()) {
            return List.of();
        }
        try {
            return List.of(DriverEventLog.open(dir, appId, hadoopConf));
        } catch (IOException | RuntimeException e) {
            LOG.warn("Application {}: cannot open the driver event log under {}: {}", appId, dir, e.toString());
            return List.of();
        }
    }

    /**
     * Watches the driver's progress file: reports RUNNING once its streaming context started, and healthy (recorded
     * in the staging directory for later attempts) once it has completed batches for long enough.
     */
    private static final class HealthWatch implements AutoCloseable {
        private final ScheduledExecutorService timer =
                Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("sluice-driver-health", true));
        private final DriverRestartPolicy policy;
        private final DriverLifecycle lifecycle;
        private final int attempt;
        private final Configuration conf;
        private final Path staging;
        private final Clock clock;
        private volatile long healthyAt = -1;

        HealthWatch(DriverRestartPolicy policy, DriverLifecycle lifecycle, int attempt, Configuration conf, Path staging,
                    Clock clock) {
            this.policy = policy;
            this.lifecycle = lifecycle;
            this.attempt = attempt;
            this.conf = conf;
            this.staging = staging;
            this.clock = clock;
            timer.scheduleWithFixedDelay(this::check, HEALTH_POLL.toMillis(), HEALTH_POLL.toMillis(), TimeUnit.MILLISECONDS);
        }

        private void check() {
            try {
                var progress = DriverProgress.read(java.nio.file.Path.of(PROGRESS_FILE).toAbsolutePath());
                if (progress.isEmpty()) {
                    return;
                }
                var p = progress.get();
                if (lifecycle.state() == DriverState.STARTING && p.startedMs() >= 0) {
                    lifecycle.moveTo(DriverState.RUNNING, attempt, "");
                }
                if (healthyAt < 0 && policy.isHealthy(p.firstBatchMs(), p.lastBatchMs())) {
                    healthyAt = clock.currentTimeMillis();
                    AttemptHistory.markHealthy(conf, staging, attempt, healthyAt);
                    lifecycle.healthy(attempt, p.batches() + " batches completed over "
                            + (p.lastBatchMs() - p.firstBatchMs()) + " ms: earlier failures count no more");
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot check the driver's health: {}", e.toString());
            }
        }

        OptionalLong healthyAt() {
            return healthyAt < 0 ? OptionalLong.empty() : OptionalLong.of(healthyAt);
        }

        @Override
        public void close() {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            check(); // a last look: a driver that ended right after becoming healthy still counts as healthy
        }
    }

    private static void loadConfiguration(String appId, int attempt, String host) throws IOException {
        var file = java.nio.file.Path.of(YarnLaunch.CONF_LINK, YarnLaunch.SLUICE_CONF_FILE);
        var props = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file)) {
                props.load(r);
            }
        }
        for (String k : props.stringPropertyNames()) {
            if (k.startsWith("sluice.")) {
                System.setProperty(k, props.getProperty(k));
            }
        }
        System.setProperty(SluiceConf.MASTER.name(), YarnClusterManagerFactory.MASTER);
        if (appId != null) {
            System.setProperty(SluiceConf.APP_ID.name(), appId);
        }
        System.setProperty(SluiceConf.APP_ATTEMPT.name(), Integer.toString(attempt));
        System.setProperty(SluiceConf.DRIVER_PROGRESS_FILE.name(), java.nio.file.Path.of(PROGRESS_FILE).toAbsolutePath().toString());
        if (!props.containsKey(SluiceConf.DRIVER_HOST.name())) {
            System.setProperty(SluiceConf.DRIVER_HOST.name(), host);
        }
    }

    /**
     * Unregisters this attempt with {@code status} and removes the staging directory. The attempt may not have
     * registered yet (the driver failed before it created its context): then it registers first, so that YARN
     * records the final status and diagnostics rather than a crash.
     */
    private static int finish(String appId, FinalApplicationStatus status, String diagnostics, int exitCode) {
        var sluiceConf = new SluiceConf();
        Configuration conf = YarnClusterManagerFactory.hadoopConf(sluiceConf);
        AMRMClient<ContainerRequest> rm = AMRMClient.createAMRMClient();
        rm.init(conf);
        rm.start();
        // as long as the ResourceManager client itself keeps trying (15 minutes by default): an AM that gives up
        // sooner during a ResourceManager restart would make YARN run a finished job again
        var bound = sluiceConf.get(YarnConf.RM_CONNECT_TIMEOUT);
        long maxWait = conf.getLong(YarnConfiguration.RESOURCEMANAGER_CONNECT_MAX_WAIT_MS,
                YarnConfiguration.DEFAULT_RESOURCEMANAGER_CONNECT_MAX_WAIT_MS);
        if (maxWait > bound.toMillis()) {
            bound = java.time.Duration.ofMillis(maxWait);
        }
        try {
            BoundedCall.call("unregister " + appId, bound, () -> {
                try {
                    rm.registerApplicationMaster(System.getenv().getOrDefault(Environment.NM_HOST.name(), "localhost"), 0, "");
                } catch (InvalidApplicationMasterRequestException e) {
                    LOG.debug("Application {}: already registered (by the driver's YARN backend)", appId);
                }
                rm.unregisterApplicationMaster(status, diagnostics, "");
                return null;
            });
            LOG.info("Application {}: unregistered as {}{}", appId, status, diagnostics.isEmpty() ? "" : ": " + diagnostics);
        } catch (Exception e) {
            // one line, last in the log: YARN puts the tail of this container's stderr into the diagnostics
            LOG.debug("Application {}: unregistering failed", appId, e);
            LOG.error("Application {}: the ApplicationMaster could not reach the ResourceManager to unregister as {} ({}); "
                    + "YARN reports this container's exit instead.{}", appId, status, e.getMessage(),
                    diagnostics.isEmpty() ? "" : " Diagnostics: " + diagnostics);
            LogManager.shutdown();
            return exitCode == 0 ? EXIT_FAILED : exitCode;
        } finally {
            rm.stop();
        }
        String staging = System.getenv(YarnLaunch.ENV_STAGING_DIR);
        if (staging != null) {
            try {
                Path dir = new Path(staging);
                FileSystem fs = dir.getFileSystem(conf);
                fs.delete(dir, true);
                LOG.info("Application {}: removed the staging directory {}", appId, dir);
            } catch (IOException | RuntimeException e) {
                LOG.warn("Application {}: could not remove the staging directory {}: {}", appId, staging, e.toString());
            }
        }
        LogManager.shutdown();
        return exitCode;
    }
}
