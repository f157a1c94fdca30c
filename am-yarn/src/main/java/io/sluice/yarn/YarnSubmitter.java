package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import io.sluice.util.NamedThreadFactory;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
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
 * Submits an application to YARN in cluster deploy mode, the code path of {@code sluice-submit --master yarn}:
 * <ol>
 *   <li>checks the application jar (exists, readable), the queue (exists), and the ApplicationMaster's and executors'
 *       containers against the cluster's maximum allocation, each failing with one {@link YarnSubmitException} that
 *       names the problem; an unreachable ResourceManager fails within {@code sluice.yarn.rm.connectTimeout};</li>
 *   <li>checks the {@code --jars} and {@code --files} (each a readable file, no two files of one name);</li>
 *   <li>stages the application jar, the {@code --jars} and {@code --files}, the generated {@code sluice.conf} and the
 *       Hadoop configuration into {@code <sluice.yarn.stagingDir>/<appId>/} (default
 *       {@code /user/<user>/.sluice/<appId>/}), and Sluice's jars into the content-addressed {@link JarCache}
 *       ({@code <staging base>/.sluice-cache/<sha256>/<name>}, which outlives the application), see
 *       {@link YarnLaunch};</li>
 *   <li>submits the ApplicationMaster ({@link ApplicationMaster}) with those files as local resources;</li>
 *   <li>{@link #awaitCompletion} follows the report, telling {@code progress} each state change, and removes the
 *       staging directory once the application ended.</li>
 * </ol>
 * Thread-safe for sequential use; {@link #close} stops the YARN client.
 */
public final class YarnSubmitter implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(YarnSubmitter.class);
    /** The jar cache's directory in the staging base when {@code sluice.yarn.jarCacheDir} is not set. */
    public static final String JAR_CACHE_NAME = ".sluice-cache";

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
     * @param conf       connection settings ({@code sluice.yarn.rm.connectTimeout}, {@code sluice.yarn.report.interval})
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
    public ApplicationId submit(SubmitRequest request) {
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
    public ApplicationId submitLauncher(SubmitRequest request, String driverUrl) {
        return submit(request, List.of("--launcher", YarnLaunch.quote(driverUrl)));
    }

    private ApplicationId submit(SubmitRequest request, List<String> amArgs) {
        checkJar(request.appJar());
        checkLocalFiles(request);
        SluiceConf appConf = request.conf();
        checkLog4jConfig(appConf);
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
            staging = fs.makeQualified(new Path(stagingBase(fs, appConf), appId.toString()));
            stage(fs, staging, request);
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
        cmd.addAll(YarnLaunch.ADD_OPENS);
        cmd.addAll(YarnLaunch.loggingOptions(resources));
        cmd.addAll(YarnLaunch.splitOptions(appConf.get(SluiceConf.DRIVER_JAVA_OPTIONS)));
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
        return appId;
    }

    /**
     * Follows {@code appId} until it ended or {@code timeout} passed, telling {@code progress} each state change;
     * removes its staging directory once it ended. Returns the last report.
     */
    public AppStatus awaitCompletion(ApplicationId appId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long interval = conf.get(SluiceConf.SUBMIT_STATUS_INTERVAL).toMillis();
        AppStatus last = null;
        while (true) {
            AppStatus now = AppStatus.of(rm("get the report of " + appId, () -> yarn.getApplicationReport(appId)));
            if (last == null || now.state() != last.state()) {
                progress.accept(now.describe());
            }
            last = now;
            if (now.ended()) {
                removeStaging(appId);
                return now;
            }
            if (System.nanoTime() >= deadline) {
                return now;
            }
            Thread.sleep(interval);
        }
    }

    public AppStatus status(ApplicationId appId) {
        return AppStatus.of(rm("get the report of " + appId, () -> yarn.getApplicationReport(appId)));
    }

    /** Asks YARN to kill {@code appId} and removes its staging directory. */
    public void kill(ApplicationId appId) {
        rm("kill " + appId, () -> {
            yarn.killApplication(appId);
            return null;
        });
        removeStaging(appId);
    }

    /** Sluice applications the ResourceManager knows. */
    public List<AppStatus> list() {
        return rm("list applications", () -> yarn.getApplications(Set.of("SLUICE"))).stream().map(AppStatus::of).toList();
    }

    /** The staging directory of {@code appId} (whether or not it exists). */
    public Path stagingDir(ApplicationId appId) throws IOException {
        FileSystem fs = FileSystem.get(hadoopConf);
        return fs.makeQualified(new Path(stagingBase(fs, conf), appId.toString()));
    }

    private void removeStaging(ApplicationId appId) {
        try {
            Path dir = stagingDir(appId);
            if (dir.getFileSystem(hadoopConf).delete(dir, true)) {
                LOG.info("Removed the staging directory {} of {}", dir, appId);
            }
        } catch (IOException e) {
            LOG.warn("Could not remove the staging directory of {}: {}", appId, e.toString());
        }
    }

    private static Path stagingBase(FileSystem fs, SluiceConf conf) {
        String dir = conf.get(SluiceConf.SUBMIT_STAGING_DIR);
        return dir.isBlank() ? new Path(fs.getHomeDirectory(), ".sluice") : new Path(dir);
    }

    private static void checkLog4jConfig(SluiceConf conf) {
        String file = conf.get(SluiceConf.SUBMIT_LOG4J_CONFIG);
        if (!file.isBlank() && !Files.isReadable(java.nio.file.Path.of(file))) {
            throw new YarnSubmitException("The log4j2 configuration " + file + " (" + SluiceConf.SUBMIT_LOG4J_CONFIG.name()
                    + ") does not exist or is not readable");
        }
    }

    private static void checkJar(java.nio.file.Path jar) {
        if (!Files.exists(jar)) {
            throw new YarnSubmitException("Application jar " + jar.toAbsolutePath() + " does not exist");
        }
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new YarnSubmitException("Application jar " + jar.toAbsolutePath() + " is not a readable file");
        }
        try (var ignored = new JarFile(jar.toFile())) {
            // a jar
        } catch (IOException e) {
            throw new YarnSubmitException("Application jar " + jar.toAbsolutePath() + " is not a jar: " + e.getMessage(), e);
        }
    }

    private void checkQueue(String queue) {
        QueueInfo info;
        try {
            info = rm("look up queue " + queue, () -> yarn.getQueueInfo(queue));
        } catch (YarnSubmitException e) {
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

    // ------------------------------------------------------------------ staging

    /** Stages {@code request} into {@code dir} (see {@link YarnLaunch}) and its Sluice jars into the jar cache. */
    void stage(FileSystem fs, Path dir, SubmitRequest request) throws IOException {
        fs.mkdirs(dir, new FsPermission((short) 0700));
        Path app = new Path(dir, YarnLaunch.APP_DIR);
        Set<String> appNames = new HashSet<>();
        for (java.nio.file.Path jar : concat(List.of(request.appJar()), request.jars())) {
            String name = unique(appNames, jar.getFileName().toString());
            fs.copyFromLocalFile(false, true, new Path(jar.toAbsolutePath().toUri()), new Path(app, name));
        }
        Path filesDir = new Path(dir, YarnLaunch.FILES_DIR);
        for (java.nio.file.Path file : request.files()) {
            fs.copyFromLocalFile(false, true, new Path(file.toAbsolutePath().toUri()), new Path(filesDir, file.getFileName().toString()));
        }
        stageSluiceJars(fs, dir, request);
        Path confDir = new Path(dir, YarnLaunch.CONF_DIR);
        var props = new Properties();
        request.conf().asMap().forEach(props::setProperty);
        var text = new StringWriter();
        props.store(text, "Sluice configuration of " + dir.getName() + ", written by the submitter");
        try (var out = fs.create(new Path(confDir, YarnLaunch.SLUICE_CONF_FILE), true)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        String log4j = request.conf().get(SluiceConf.SUBMIT_LOG4J_CONFIG);
        if (!log4j.isBlank()) {
            fs.copyFromLocalFile(false, true, new Path(java.nio.file.Path.of(log4j).toAbsolutePath().toUri()),
                    new Path(confDir, YarnLaunch.LOG4J_FILE));
        }
        for (String site : List.of("core-site.xml", "yarn-site.xml", "hdfs-site.xml")) {
            try (OutputStream out = fs.create(new Path(confDir, site), true)) {
                // not the client's fail-fast retries: the driver and executors ride out NameNode and RM restarts
                containerConf.writeXml(out);
            }
        }
        progress.accept("Staged " + request.appJar().getFileName() + ", " + request.jars().size() + " more jars and "
                + request.files().size() + " files in " + dir);
    }

    /**
     * Puts Sluice's jars into the jar cache (uploading only those whose content it does not hold) and writes the
     * staging directory's {@value YarnLaunch#LIBS_MANIFEST} naming them.
     */
    private void stageSluiceJars(FileSystem fs, Path dir, SubmitRequest request) throws IOException {
        var cache = new JarCache(fs, jarCacheDir(fs, request.conf()));
        Set<String> names = new HashSet<>();
        var manifest = new StringBuilder();
        int uploaded = 0;
        int packed = 0;
        for (java.nio.file.Path entry : request.sluiceJars()) {
            java.nio.file.Path jar = entry;
            if (Files.isDirectory(entry)) {
                jar = packDirectory(entry);
                packed++;
            } else if (!Files.isRegularFile(entry)) {
                continue; // a class path entry that does not exist
            }
            try {
                JarCache.Entry cached = cache.put(jar, jar.getFileName().toString());
                uploaded += cached.uploaded() ? 1 : 0;
                manifest.append(unique(names, jar.getFileName().toString())).append('\t').append(cached.path()).append('\n');
            } finally {
                if (jar != entry) {
                    Files.deleteIfExists(jar);
                    Files.deleteIfExists(jar.getParent());
                }
            }
        }
        try (var out = fs.create(new Path(dir, YarnLaunch.LIBS_MANIFEST), true)) {
            out.write(manifest.toString().getBytes(StandardCharsets.UTF_8));
        }
        String line = "Sluice's jars: " + names.size() + " (" + packed + " packed from class directories), "
                + (names.size() - uploaded) + " reused from the jar cache " + cache.dir() + ", " + uploaded + " uploaded";
        progress.accept(line);
        LOG.info("{} for {}", line, dir.getName());
    }

    /** {@code name}, or {@code <i>-name} for the first i that is not in {@code taken}; added to {@code taken}. */
    private static String unique(Set<String> taken, String name) {
        String n = name;
        for (int i = 1; !taken.add(n); i++) {
            n = i + "-" + name;
        }
        return n;
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        var out = new ArrayList<T>(a);
        out.addAll(b);
        return out;
    }

    /** {@code sluice.yarn.jarCacheDir}, else {@code <staging base>/.sluice-cache}. */
    static Path jarCacheDir(FileSystem fs, SluiceConf conf) {
        String dir = conf.get(SluiceConf.SUBMIT_JAR_CACHE_DIR);
        return fs.makeQualified(dir.isBlank() ? new Path(stagingBase(fs, conf), JAR_CACHE_NAME) : new Path(dir));
    }

    /**
     * Checks the {@code --jars} and {@code --files} before anything is staged: each must be a readable file, and the
     * files' names (their link names in the containers) must differ from each other and from Sluice's own links.
     */
    public static void checkLocalFiles(SubmitRequest request) {
        for (java.nio.file.Path jar : request.jars()) {
            if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
                throw new YarnSubmitException("Jar " + jar.toAbsolutePath() + " (--jars, " + SluiceConf.SUBMIT_JARS.name()
                        + ") does not exist or is not a readable file");
            }
        }
        var names = new HashMap<String, java.nio.file.Path>();
        for (java.nio.file.Path file : request.files()) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new YarnSubmitException("File " + file.toAbsolutePath() + " (--files, " + SluiceConf.SUBMIT_FILES.name()
                        + ") does not exist or is not a readable file");
            }
            String name = file.getFileName().toString();
            if (name.startsWith("__sluice_")) {
                throw new YarnSubmitException("File " + file.toAbsolutePath() + " (--files): names starting with __sluice_ "
                        + "are Sluice's own in the container's working directory; rename it");
            }
            java.nio.file.Path other = names.putIfAbsent(name, file);
            if (other != null) {
                throw new YarnSubmitException("Files " + other.toAbsolutePath() + " and " + file.toAbsolutePath()
                        + " (--files) would both be " + name + " in the container's working directory; rename one");
            }
        }
    }

    /**
     * Packs a class directory into {@code <temp dir>/<module>-<dir>.jar}, reproducibly (sorted entries, each with its
     * file's modification time), so that unchanged classes hash the same and hit the jar cache.
     */
    static java.nio.file.Path packDirectory(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path parent = dir.toAbsolutePath().getParent();
        String module = parent == null || parent.getParent() == null ? "classes" : parent.getParent().getFileName().toString();
        java.nio.file.Path jar = Files.createTempDirectory("sluice-pack").resolve(module + "-" + dir.getFileName() + ".jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(dir)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
                if (f.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(f).toString().replace(File.separatorChar, '/') + (Files.isDirectory(f) ? "/" : "");
                var entry = new ZipEntry(name);
                entry.setTime(Files.getLastModifiedTime(f).toMillis());
                out.putNextEntry(entry);
                if (Files.isRegularFile(f)) {
                    Files.copy(f, out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }

    /** {@code sluice.yarn.jars} when set, else {@link #currentClassPath()}. */
    public static List<java.nio.file.Path> sluiceJars(SluiceConf conf) {
        String jars = conf.get(SluiceConf.SUBMIT_SLUICE_JARS);
        if (jars.isBlank()) {
            return currentClassPath();
        }
        return java.util.Arrays.stream(jars.split(",")).map(String::trim).filter(j -> !j.isEmpty())
                .map(java.nio.file.Path::of).toList();
    }

    /**
     * The jars and class directories of this JVM's class path, with the {@code Class-Path} of manifest-only jars
     * (as a test runner or launcher uses) expanded in their place: what a submission from this JVM ships as Sluice's
     * jars.
     */
    public static List<java.nio.file.Path> currentClassPath() {
        var out = new LinkedHashSet<java.nio.file.Path>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isBlank()) {
                continue;
            }
            java.nio.file.Path p = java.nio.file.Path.of(e).toAbsolutePath();
            List<java.nio.file.Path> manifestEntries = manifestClassPath(p);
            if (manifestEntries.isEmpty()) {
                out.add(p);
            } else {
                out.addAll(manifestEntries);
            }
        }
        return List.copyOf(out);
    }

    private static List<java.nio.file.Path> manifestClassPath(java.nio.file.Path jar) {
        if (!Files.isRegularFile(jar)) {
            return List.of();
        }
        try (var jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp == null || cp.isBlank() || jf.size() > 2) {
                return List.of(); // an ordinary jar that also names dependencies
            }
            var entries = new ArrayList<java.nio.file.Path>();
            for (String u : cp.trim().split("\\s+")) {
                java.net.URI uri = jar.toUri().resolve(u);
                entries.add(java.nio.file.Path.of(uri));
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        rpcThread.shutdownNow();
        yarn.stop();
    }
}
