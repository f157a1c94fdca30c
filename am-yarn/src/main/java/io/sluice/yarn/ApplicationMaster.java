package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.ApplicationConstants.Environment;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationAttemptState;
import org.apache.hadoop.yarn.client.api.AMRMClient;
import org.apache.hadoop.yarn.client.api.AMRMClient.ContainerRequest;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.InvalidApplicationMasterRequestException;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The ApplicationMaster's main, cluster deploy mode: runs the user's main class (the driver) in this JVM with
 * {@code sluice.master=yarn}, so its {@code SluiceContext} takes the {@link YarnClusterBackend}, which registers
 * this attempt with the ResourceManager and launches the executor containers. When the driver ends:
 * <ul>
 *   <li>returned normally: unregister SUCCEEDED, remove the staging directory, exit 0;</li>
 *   <li>the main class (or its {@code main(String[])}) does not exist: unregister FAILED saying so — no retry helps;</li>
 *   <li>threw, and YARN will make another attempt: exit {@value #EXIT_RETRY} <em>without</em> unregistering, so
 *       YARN starts attempt n+1, which runs the user's main again (recovering through
 *       {@code StreamingContext.getOrCreate} from its checkpoint);</li>
 *   <li>threw on the last attempt: unregister FAILED with the exception as diagnostics, remove the staging
 *       directory, exit {@value #EXIT_FAILED}.</li>
 * </ul>
 *
 * <p>Arguments: {@code --class <main class> [--arg <arg>]...}. Configuration: {@code __sluice_conf__/sluice.conf}
 * (written by the submitter) becomes {@code sluice.*} system properties, plus {@code sluice.master=yarn},
 * {@code sluice.app.id=<YARN application id>}, {@code sluice.app.attempt=<attempt>} and, unless set,
 * {@code sluice.driver.host=<this node>}.
 */
public final class ApplicationMaster {
    private static final Logger LOG = LogManager.getLogger(ApplicationMaster.class);
    static final int EXIT_FAILED = 1;
    static final int EXIT_RETRY = 3;
    static final int EXIT_BAD_ARGS = 2;

    /** The driver's outcome. */
    sealed interface Outcome {
        record Succeeded() implements Outcome {
        }

        record MainNotFound(String message) implements Outcome {
        }

        record Failed(Throwable error) implements Outcome {
        }
    }

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
        var budget = new AttemptBudget(Integer.parseInt(System.getenv().getOrDefault(YarnLaunch.ENV_MAX_ATTEMPTS, "1")),
                Long.parseLong(System.getenv().getOrDefault(YarnLaunch.ENV_ATTEMPT_VALIDITY_MS, "0")));
        String host = System.getenv().getOrDefault(Environment.NM_HOST.name(), "localhost");
        System.exit(driver != null ? runLauncher(driver, appId, attempt, host)
                : run(mainClass, userArgs, cid.getApplicationAttemptId(), budget, host));
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

    static int run(String mainClass, List<String> userArgs, ApplicationAttemptId attemptId, AttemptBudget budget,
                   String host) {
        String appId = attemptId.getApplicationId().toString();
        int attempt = attemptId.getAttemptId();
        int maxAttempts = budget.maxAttempts();
        try {
            loadConfiguration(appId, attempt, host);
        } catch (IOException | RuntimeException e) {
            LOG.error("Application {} attempt {}: cannot read the configuration the submitter staged", appId, attempt, e);
            return finish(appId, FinalApplicationStatus.FAILED, "the ApplicationMaster cannot read its configuration: " + e,
                    EXIT_FAILED);
        }
        LOG.info("Application {} attempt {} of {}: running driver {} {} on {}", appId, attempt, maxAttempts, mainClass,
                userArgs, host);
        Outcome outcome = runDriver(mainClass, userArgs.toArray(String[]::new));
        if (outcome instanceof Outcome.MainNotFound m) {
            LOG.error("Application {}: {}", appId, m.message());
            return finish(appId, FinalApplicationStatus.FAILED, m.message(), EXIT_FAILED);
        }
        if (outcome instanceof Outcome.Failed f) {
            if (!isLastAttempt(attemptId, budget)) {
                LOG.error("Application {} attempt {} (at most {} failures{}): the driver failed; exiting without "
                        + "unregistering so YARN starts attempt {}", appId, attempt, maxAttempts,
                        budget.countsEveryFailure() ? "" : " within " + budget.validityMillis() + " ms", attempt + 1,
                        f.error());
                LogManager.shutdown();
                return EXIT_RETRY;
            }
            LOG.error("Application {} attempt {} (the last): the driver failed", appId, attempt, f.error());
            return finish(appId, FinalApplicationStatus.FAILED, "the driver failed on attempt " + attempt + ": " + f.error(),
                    EXIT_FAILED);
        }
        LOG.info("Application {} attempt {}: the driver finished", appId, attempt);
        return finish(appId, FinalApplicationStatus.SUCCEEDED, "", 0);
    }

    /**
     * Whether YARN makes no further attempt once this one fails. With a validity interval that depends on when the
     * earlier attempts failed, which the ResourceManager tells; if it cannot be asked, the attempt number decides.
     */
    private static boolean isLastAttempt(ApplicationAttemptId attemptId, AttemptBudget budget) {
        if (budget.countsEveryFailure()) {
            return budget.isLast(attemptId.getAttemptId(), List.of(), System.currentTimeMillis());
        }
        try (YarnClient client = YarnClient.createYarnClient()) {
            var conf = YarnClusterManagerFactory.hadoopConf(new SluiceConf());
            conf.setLong(YarnConfiguration.RESOURCEMANAGER_CONNECT_MAX_WAIT_MS, 30_000); // a question, not the job
            client.init(conf);
            client.start();
            var failures = new ArrayList<Long>();
            for (ApplicationAttemptReport r : client.getApplicationAttempts(attemptId.getApplicationId())) {
                if (!r.getApplicationAttemptId().equals(attemptId)
                        && r.getYarnApplicationAttemptState() == YarnApplicationAttemptState.FAILED) {
                    failures.add(r.getFinishTime());
                }
            }
            return budget.isLast(attemptId.getAttemptId(), failures, System.currentTimeMillis());
        } catch (IOException | YarnException | RuntimeException e) {
            LOG.warn("Application {}: cannot ask the ResourceManager when earlier attempts failed ({}); deciding by the "
                    + "attempt number", attemptId.getApplicationId(), e.toString());
            return attemptId.getAttemptId() >= budget.maxAttempts();
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
        if (!props.containsKey(SluiceConf.DRIVER_HOST.name())) {
            System.setProperty(SluiceConf.DRIVER_HOST.name(), host);
        }
    }

    /** Runs {@code main} on the thread {@code sluice-driver} and waits for it (the driver decides how long it runs). */
    static Outcome runDriver(String mainClass, String[] args) {
        Method main;
        try {
            Class<?> c = Class.forName(mainClass, false, ApplicationMaster.class.getClassLoader());
            main = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers())) {
                return new Outcome.MainNotFound("Main class " + mainClass + " has no static main(String[]) method");
            }
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
            return new Outcome.MainNotFound("Main class " + mainClass + " was not found in the application jar or Sluice's jars");
        } catch (NoSuchMethodException e) {
            return new Outcome.MainNotFound("Main class " + mainClass + " has no static main(String[]) method");
        }
        var result = new AtomicReference<Outcome>(new Outcome.Succeeded());
        Thread driver = new Thread(() -> {
            try {
                main.invoke(null, (Object) args);
            } catch (InvocationTargetException e) {
                result.set(new Outcome.Failed(e.getCause()));
            } catch (Throwable t) {
                result.set(new Outcome.Failed(t));
            }
        }, "sluice-driver");
        driver.start();
        try {
            while (driver.isAlive()) {
                driver.join(60_000); // the driver runs as long as the job does; wake up to log it is alive
                if (driver.isAlive()) {
                    LOG.debug("driver {} still running", mainClass);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed(e);
        }
        return result.get();
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
