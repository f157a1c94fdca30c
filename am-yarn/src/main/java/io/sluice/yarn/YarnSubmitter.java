package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.deploy.Staging;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.Submitter;
import io.sluice.util.NamedThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationSubmissionContext;
import org.apache.hadoop.yarn.api.records.ContainerLaunchContext;
import org.apache.hadoop.yarn.api.records.QueueInfo;
import org.apache.hadoop.yarn.api.records.Resource;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.client.api.YarnClientApplication;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@link Submitter} of YARN, the code path of {@code sluice-submit --master yarn}: in cluster deploy mode
 * {@link #submit} does
 * <ol>
 *   <li>checks the local files ({@link Staging#checkLocalFiles}), the queue (exists), and the ApplicationMaster's and
 *       executors' containers against the cluster's maximum allocation, each failing with one {@link SubmitException}
 *       that names the problem; an unreachable ResourceManager fails within {@code sluice.yarn.rm.connectTimeout};</li>
 *   <li>stages the application with the shared {@link Staging} (in {@code <sluice.submit.stagingDir>/<appId>/}, Sluice's
 *       jars in the jar cache);</li>
 *   <li>submits the ApplicationMaster ({@link ApplicationMaster}) with the staged files as local resources
 *       ({@link YarnLaunch}).</li>
 * </ol>
 * Status, kill and list ask the ResourceManager, whose reports {@link YarnStatus} turns into the generic
 * {@link ApplicationStatus}; following an application is the shared {@link io.sluice.deploy.StatusPoll}, and once it
 * ended its staging directory is removed ({@link #cleanUp}). Thread-safe for sequential use; {@link #close} stops the
 * YARN client.
 */
public final class YarnSubmitter implements Submitter {
    private static final Logger LOG = LogManager.getLogger(YarnSubmitter.class);

    private final Configuration hadoopConf;
    /** The configuration as given, before this client's tighter retry settings: what the containers get. */
    private final Configuration containerConf;
    private final SluiceConf conf;
    private final Consumer<String> progress;
    private final Duration connectTimeout;
    private final YarnClient yarn;
    private final ExecutorService rpcThread;

    /**
     * @param hadoopConf where the ResourceManager and the staging file system are (what containers get, too)
     * @param conf       connection settings ({@code sluice.yarn.rm.connectTimeout}, {@code sluice.submit.statusInterval}) and
     *                   where to stage ({@code sluice.submit.stagingDir}, {@code sluice.submit.jarCacheDir})
     * @param progress   told of each step and state change, one line each (the CLI prints them)
     */
    public YarnSubmitter(Configuration hadoopConf, SluiceConf conf, Consumer<String> progress) {
        this.conf = conf;
        this.progress = progress;
        this.connectTimeout = conf.get(YarnConf.RM_CONNECT_TIMEOUT);
        this.containerConf = new YarnConfiguration(hadoopConf);
        this.hadoopConf = new YarnConfiguration(hadoopConf);
        long ms = connectTimeout.toMillis();
        // bound the ResourceManager client's own retries; the calls below are also bounded by connectTimeout
        this.hadoopConf.setLong(YarnConfiguration.RESOURCEMANAGER_CONNECT_MAX_WAIT_MS, ms);
        this.hadoopConf.setLong(YarnConfiguration.RESOURCEMANAGER_CONNECT_RETRY_INTERVAL_MS, Math.max(50, Math.min(1000, ms / 4)));
        this.hadoopConf.setInt("ipc.client.connect.max.retries", 1);
        this.hadoopConf.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
        this.yarn = YarnClient.createYarnClient();
        yarn.init(this.hadoopConf);
        yarn.start();
        this.rpcThread = Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-submit-rm", true));
    }

    /** Checks, stages and submits {@code request}; returns the application's id once YARN accepted it. */
    @Override
    public String submit(SubmitRequest request) {
        var amArgs = new ArrayList<String>(List.of("--class", YarnLaunch.quote(request.mainClass())));
        for (String a : request.appArgs()) {
            amArgs.add("--arg");
            amArgs.add(YarnLaunch.quote(a));
        }
        return submit(request, amArgs);
    }

    /**
     * Client deploy mode: submits an ApplicationMaster that only manages executors for the driver whose launcher
     * endpoint is at {@code driverUrl} ({@code host:port}); {@code request.mainClass()} is only a label.
     */
    public String submitLauncher(SubmitRequest request, String driverUrl) {
        return submit(request, List.of("--launcher", YarnLaunch.quote(driverUrl)));
    }

    private String submit(SubmitRequest request, List<String> amArgs) {
        Staging.checkLocalFiles(request);
        SluiceConf appConf = request.conf();
        String queue = appConf.get(YarnConf.QUEUE);
        checkQueue(queue);
        YarnClientApplication app = rm("create an application", yarn::createApplication);
        ApplicationId appId = app.getNewApplicationResponse().getApplicationId();
        Resource max = app.getNewApplicationResponse().getMaximumResourceCapability();
        int overhead = appConf.get(SluiceConf.DRIVER_MEMORY_OVERHEAD_MB);
        int amMemory = appConf.get(SluiceConf.DRIVER_MEMORY_MB);
        int amCores = appConf.get(SluiceConf.DRIVER_CORES);
        checkFits("the ApplicationMaster (the driver)", SluiceConf.DRIVER_MEMORY_MB, amMemory,
                SluiceConf.DRIVER_MEMORY_OVERHEAD_MB, overhead, SluiceConf.DRIVER_CORES.name(), amCores, max);
        checkFits("each executor", SluiceConf.EXECUTOR_MEMORY_MB, appConf.get(SluiceConf.EXECUTOR_MEMORY_MB),
                SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB, appConf.get(SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB),
                SluiceConf.EXECUTOR_CORES.name(), appConf.get(SluiceConf.EXECUTOR_CORES), max);

        Path staging;
        Map<String, org.apache.hadoop.yarn.api.records.LocalResource> resources;
        try {
            FileSystem fs = FileSystem.get(hadoopConf);
            staging = new Staging(fs, appConf, containerConf, progress).stage(appId.toString(), request);
            resources = YarnLaunch.localResources(fs, staging);
        } catch (IOException e) {
            throw new YarnSubmitException("Cannot stage application " + appId + " on " + hadoopConf.get("fs.defaultFS")
                    + ": " + e.getMessage(), e);
        }

        int rmMaxAttempts = hadoopConf.getInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, YarnConfiguration.DEFAULT_RM_AM_MAX_ATTEMPTS);
        int asked = appConf.get(YarnConf.MAX_APP_ATTEMPTS);
        int attempts = asked > 0 ? Math.min(asked, rmMaxAttempts) : rmMaxAttempts;
        var env = new HashMap<String, String>();
        env.put("CLASSPATH", YarnLaunch.classPath());
        env.put(YarnLaunch.ENV_STAGING_DIR, staging.toString());
        env.put(YarnLaunch.ENV_MAX_ATTEMPTS, Integer.toString(attempts));
        env.put(YarnLaunch.ENV_ATTEMPT_VALIDITY_MS, Long.toString(appConf.get(YarnConf.ATTEMPT_FAILURES_VALIDITY).toMillis()));
        var cmd = new ArrayList<String>();
        cmd.add(YarnLaunch.javaCommand(appConf));
        cmd.add("-Xmx" + amMemory + "m");
        cmd.addAll(io.sluice.serde.RequiredJvmOptions.OPTIONS);
        cmd.addAll(YarnLaunch.loggingOptions(resources));
        cmd.addAll(io.sluice.cluster.ExecutorLaunchPlan.splitOptions(appConf.get(SluiceConf.DRIVER_JAVA_OPTIONS)));
        cmd.add(ApplicationMaster.class.getName());
        cmd.addAll(amArgs);
        cmd.add(YarnLaunch.logRedirects());

        ApplicationSubmissionContext ctx = app.getApplicationSubmissionContext();
        ctx.setApplicationName(appConf.get(SluiceConf.APP_NAME));
        ctx.setApplicationType("SLUICE");
        ctx.setQueue(queue);
        ctx.setResource(Resource.newInstance(amMemory + overhead, amCores));
        if (asked > 0) {
            ctx.setMaxAppAttempts(asked);
        }
        long validity = appConf.get(YarnConf.ATTEMPT_FAILURES_VALIDITY).toMillis();
        if (validity > 0) {
            ctx.setAttemptFailuresValidityInterval(validity);
        }
        ctx.setAMContainerSpec(ContainerLaunchContext.newInstance(resources, env, List.of(String.join(" ", cmd)), null, null, null));
        rm("submit the application", () -> yarn.submitApplication(ctx));
        progress.accept("Submitted application " + appId + " (" + appConf.get(SluiceConf.APP_NAME) + ") to queue " + queue
                + "; staging directory " + staging);
        LOG.info("Submitted application {} to queue {}, staging directory {}", appId, queue, staging);
        return appId.toString();
    }

    /**
     * Follows {@code appId} until it ended or {@code timeout} passed, telling the progress consumer each state change
     * (the shared {@link io.sluice.deploy.StatusPoll}); removes its staging directory once it ended.
     */
    public ApplicationStatus awaitCompletion(String appId, Duration timeout) throws InterruptedException {
        return awaitCompletion(appId, timeout, st -> progress.accept(st.describe()));
    }

    @Override
    public Duration statusInterval() {
        return conf.get(SluiceConf.SUBMIT_STATUS_INTERVAL);
    }

    @Override
    public ApplicationStatus status(String appId) {
        ApplicationId id = applicationId(appId);
        return YarnStatus.of(rm("get the report of " + appId, () -> yarn.getApplicationReport(id)));
    }

    /** Asks YARN to kill {@code appId} and removes its staging directory. */
    @Override
    public void kill(String appId) {
        ApplicationId id = applicationId(appId);
        rm("kill " + appId, () -> {
            yarn.killApplication(id);
            return null;
        });
        cleanUp(appId);
    }

    /** Sluice applications the ResourceManager knows. */
    @Override
    public List<ApplicationStatus> list() {
        return rm("list applications", () -> yarn.getApplications(Set.of("SLUICE"))).stream().map(YarnStatus::of).toList();
    }

    /** The staging directory of {@code appId} (whether or not it exists). */
    public Path stagingDir(String appId) throws IOException {
        return staging().dirOf(appId);
    }

    /** Removes the staging directory of {@code appId}; a failure is logged. */
    @Override
    public void cleanUp(String appId) {
        try {
            staging().remove(appId);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not remove the staging directory of {}: {}", appId, e.toString());
        }
    }

    private Staging staging() throws IOException {
        return new Staging(FileSystem.get(hadoopConf), conf, containerConf, progress);
    }

    /** {@code id} as YARN's application id, or a {@link SubmitException} saying what one looks like. */
    static ApplicationId applicationId(String id) {
        try {
            return ApplicationId.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new SubmitException("'" + id + "' is not a YARN application id (" + YarnSubmitterFactory.APP_ID_FORM + ")");
        }
    }

    private void checkQueue(String queue) {
        QueueInfo info;
        try {
            info = rm("look up queue " + queue, () -> yarn.getQueueInfo(queue));
        } catch (SubmitException e) {
            if (e.getCause() != null && e.getMessage().contains("ResourceManager at")) {
                throw e; // unreachable
            }
            info = null;
        }
        if (info == null) {
            List<String> known = rm("list queues", () -> yarn.getAllQueues()).stream().map(QueueInfo::getQueueName).sorted().toList();
            throw new YarnSubmitException("Queue '" + queue + "' does not exist on the ResourceManager ("
                    + YarnConf.QUEUE.name() + "/--queue); known queues: " + known);
        }
    }

    private static void checkFits(String what, io.sluice.conf.ConfigKey<Integer> memoryKey, int memory,
                                  io.sluice.conf.ConfigKey<Integer> overheadKey, int overhead,
                                  String coresKey, int cores, Resource max) {
        long container = (long) memory + overhead;
        if (container > max.getMemorySize()) {
            throw new YarnSubmitException("The container of " + what + " needs " + container + " MiB (" + memoryKey.name()
                    + "=" + memory + " + " + overheadKey.name() + "=" + overhead
                    + "), more than the cluster's maximum allocation of " + max.getMemorySize()
                    + " MiB (yarn.scheduler.maximum-allocation-mb)");
        }
        if (cores > max.getVirtualCores()) {
            throw new YarnSubmitException("The container of " + what + " needs " + cores + " vcores (" + coresKey
                    + "), more than the cluster's maximum allocation of " + max.getVirtualCores()
                    + " vcores (yarn.scheduler.maximum-allocation-vcores)");
        }
    }

    /** Runs one ResourceManager call, failing with a clear message if it does not answer within the connect timeout. */
    private <T> T rm(String what, Callable<T> call) {
        var future = rpcThread.submit(call);
        try {
            return future.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new YarnSubmitException("Cannot " + what + ": no answer from the ResourceManager at " + rmAddress()
                    + " within " + connectTimeout.toMillis() + " ms (" + YarnConf.RM_CONNECT_TIMEOUT.name()
                    + "); is it running, and is yarn.resourcemanager.address right?", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.net.ConnectException || c instanceof java.io.IOException && String.valueOf(c.getMessage()).contains("Connection refused")) {
                throw new YarnSubmitException("Cannot " + what + ": the ResourceManager at " + rmAddress() + " is unreachable ("
                        + c.getMessage() + ")", c);
            }
            throw new YarnSubmitException("Cannot " + what + ": " + c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new YarnSubmitException("Interrupted while trying to " + what, e);
        }
    }

    private String rmAddress() {
        return hadoopConf.get(YarnConfiguration.RM_ADDRESS, YarnConfiguration.DEFAULT_RM_ADDRESS);
    }

    @Override
    public void close() {
        rpcThread.shutdownNow();
        yarn.stop();
    }
}
