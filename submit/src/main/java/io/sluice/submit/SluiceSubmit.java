package io.sluice.submit;

import io.sluice.cluster.ClusterManagers;
import io.sluice.conf.ConfigRegistry;
import io.sluice.conf.SluiceConf;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.deploy.Staging;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.Submitter;
import io.sluice.deploy.SubmitterFactory;
import io.sluice.deploy.Submitters;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice-submit}: runs an application on a master, with spark-submit's habits. It names no cluster manager:
 * cluster masters are served by the {@link SubmitterFactory} (cluster deploy mode) and
 * {@link io.sluice.cluster.ClusterManagerFactory} (client deploy mode) that claim the master URL, found through
 * {@link java.util.ServiceLoader}; a master no installed module claims is refused with the list of installed ones.
 *
 * <pre>
 * sluice-submit --master yarn --deploy-mode cluster --class com.example.Main [--name N] [--queue Q]
 *               [--conf k=v]... [--driver-memory 1g] [--executor-memory 1g] [--executor-cores 1]
 *               [--num-executors 2] [--jars a.jar,b.jar] [--files f1,f2] app.jar [app args]
 * sluice-submit --master local[2] --class com.example.Main app.jar [app args]   (runs in this JVM)
 * sluice-submit --master local-cluster[2,1,1024] --supervise --class com.example.Main app.jar [app args]
 *               (runs the driver as a child JVM, restarted by sluice.driver.restart.*)
 * sluice-submit status &lt;appId&gt; | kill &lt;appId&gt; | list  [--master M]      (through the master's submitter)
 * sluice-submit mini-cluster [--conf-dir DIR] [--work-dir DIR]                 (HDFS + YARN on this machine)
 * </pre>
 *
 * A cluster is found through the environment ({@code $HADOOP_CONF_DIR} / {@code $YARN_CONF_DIR} for YARN). Exit
 * codes: {@value #OK} success, {@value #APP_FAILED} the application failed or was killed, {@value #USAGE} a usage
 * error (including a master no installed backend runs), {@value #REFUSED} the submission or command was refused (bad
 * jar, unknown queue, containers too large, unreachable cluster manager, ...); each error is one line on stderr.
 */
@Command(name = "sluice-submit", mixinStandardHelpOptions = true, version = "sluice-submit 0.1.0",
        description = "Submits a Sluice application (or, with a subcommand, asks the cluster manager about applications).",
        subcommands = {SluiceSubmit.Status.class, SluiceSubmit.Kill.class, SluiceSubmit.ListApps.class,
                SluiceSubmit.MiniClusterCommand.class})
public final class SluiceSubmit implements Callable<Integer> {
    public static final int OK = 0;
    public static final int APP_FAILED = 1;
    public static final int USAGE = 2;
    public static final int REFUSED = 3;
    private static final Pattern MEMORY = Pattern.compile("(\\d+)\\s*([kKmMgGtT]?)[bB]?");

    private final Map<String, String> env;
    /** Where backends (submitters, cluster managers, configuration keys) are looked up through ServiceLoader. */
    private final ClassLoader backends;
    PrintWriter out;
    PrintWriter err;

    @Option(names = "--master", defaultValue = "local[2]", description = "local[N], local-cluster[E,C,M], or a cluster master "
            + "whose backend is installed (yarn, ...) (default: ${DEFAULT-VALUE})")
    String master;
    @Option(names = "--deploy-mode", defaultValue = "cluster", description = "cluster or client (default: ${DEFAULT-VALUE})")
    String deployMode;
    @Option(names = "--class", description = "the application's main class")
    String mainClass;
    @Option(names = "--name", description = "the application's name")
    String name;
    @Option(names = "--queue", description = "the cluster manager's queue (YARN's), where it has queues")
    String queue;
    @Option(names = "--conf", description = "a configuration setting key=value (repeatable)")
    List<String> confs = new ArrayList<>();
    @Option(names = "--driver-memory", description = "heap of a driver the cluster manager starts (cluster deploy mode), e.g. 1g or 512m")
    String driverMemory;
    @Option(names = "--executor-memory", description = "heap of each executor, e.g. 1g or 512m")
    String executorMemory;
    @Option(names = "--executor-cores", description = "cores of each executor")
    Integer executorCores;
    @Option(names = "--num-executors", description = "executors to start with")
    Integer numExecutors;
    @Option(names = "--jars", split = ",", paramLabel = "JAR", description = "comma-separated jars for the class path of the driver and the executors, besides the application jar (repeatable)")
    List<Path> jars = new ArrayList<>();
    @Option(names = "--files", split = ",", paramLabel = "FILE", description = "comma-separated files placed in the working directory of the driver and every executor under their own names (repeatable)")
    List<Path> files = new ArrayList<>();
    @Option(names = "--supervise", description = "with a local master: run the driver as a child JVM and start it "
            + "again when it fails, by the sluice.driver.restart.* policy, printing its lifecycle (on YARN in cluster "
            + "deploy mode the ApplicationMaster always does this)")
    boolean supervise;
    @Parameters(index = "0", arity = "0..1", description = "the application jar")
    Path jar;
    @Parameters(index = "1..*", description = "arguments of the main class")
    List<String> appArgs = new ArrayList<>();

    SluiceSubmit(Map<String, String> env) {
        this(env, SluiceSubmit.class.getClassLoader());
    }

    SluiceSubmit(Map<String, String> env, ClassLoader backends) {
        this.env = env;
        this.backends = backends;
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line {@code args}; returns the exit code. */
    static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        return run(SluiceSubmit.class.getClassLoader(), env, out, err, args);
    }

    /** {@link #run(Map, PrintWriter, PrintWriter, String...)} with the backends installed in {@code backends}. */
    static int run(ClassLoader backends, Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        var submit = new SluiceSubmit(env, backends);
        submit.out = out;
        submit.err = err;
        var cl = commandLine(submit);
        cl.setOut(out).setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SubmitException || e instanceof UsageException) {
                commandLine.getErr().println("sluice-submit: " + e.getMessage());
                return e instanceof UsageException ? USAGE : REFUSED;
            }
            commandLine.getErr().println("sluice-submit: " + e);
            return REFUSED;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("sluice-submit: " + e.getMessage());
            e.getCommandLine().getErr().println("Try 'sluice-submit --help'.");
            return USAGE;
        });
        return cl.execute(args);
    }

    /** The parser: everything after the application jar belongs to the application. */
    static CommandLine commandLine(SluiceSubmit submit) {
        return new CommandLine(submit).setStopAtPositional(true);
    }

    /** A command line that names something impossible; exit {@value #USAGE}. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (mainClass == null || mainClass.isBlank()) {
            throw new UsageException("--class is required: the application's main class");
        }
        if (jar == null) {
            throw new UsageException("the application jar is required after the options");
        }
        if (!deployMode.equals("cluster") && !deployMode.equals("client")) {
            throw new UsageException("--deploy-mode must be cluster or client, got '" + deployMode + "'");
        }
        String m = master.trim();
        if (supervise && !Submitters.isLocal(m) && deployMode.equals("client")) {
            throw new UsageException("--supervise needs a supervisor for the driver: with --master " + m + " use "
                    + "--deploy-mode cluster, where the cluster manager supervises it");
        }
        ClassLoader loader = backends;
        SubmitterFactory submitters = null;
        if (Submitters.isLocal(m)) {
            deployMode = "client"; // a local master has no cluster to deploy the driver to
        } else if (deployMode.equals("cluster")) {
            submitters = Submitters.forMaster(m, loader).orElseThrow(() -> new UsageException(Submitters.noBackendMessage(m, loader)));
        } else if (ClusterManagers.forMaster(m, loader).isEmpty()) {
            throw new UsageException(Submitters.noBackendMessage(m, loader));
        }
        SluiceConf conf = conf(submitters);
        // a missing --jars or --files entry fails here, before anything is staged or run
        Staging.checkJarsAndFiles(new SubmitRequest(jar, mainClass, appArgs, conf, List.of()));
        if (submitters != null) {
            return submit(submitters, conf);
        }
        if (supervise && Submitters.isLocal(m)) {
            return LocalSupervision.run(conf, jar, mainClass, appArgs, out);
        }
        // the driver runs here; on a cluster master the executors get the application jar
        conf.set(SluiceConf.SUBMIT_APP_JAR.name(), jar.toAbsolutePath().toString());
        return runHere(conf);
    }

    SluiceConf conf() {
        return conf(null);
    }

    /** The settings of the command line; {@code submitters} (null on local masters) says what --queue sets. */
    SluiceConf conf(SubmitterFactory submitters) {
        var conf = confOf(confs);
        conf.set(SluiceConf.MASTER.name(), master.trim());
        conf.set(SluiceConf.DEPLOY_MODE.name(), deployMode);
        if (name != null) {
            conf.set(SluiceConf.APP_NAME.name(), name);
        } else if (conf.asMap().get(SluiceConf.APP_NAME.name()) == null) {
            conf.set(SluiceConf.APP_NAME.name(), mainClass);
        }
        if (queue != null) {
            var factory = submitters != null ? submitters
                    : Submitters.forMaster(master.trim(), backends).orElse(null);
            var key = factory == null ? null : factory.queueKey().orElse(null);
            if (key == null) {
                throw new UsageException("--queue: master '" + master.trim() + "' has no queues");
            }
            conf.set(key.name(), queue);
        }
        if (driverMemory != null) {
            conf.set(SluiceConf.DRIVER_MEMORY_MB.name(), Integer.toString(memoryMb("--driver-memory", driverMemory)));
        }
        if (executorMemory != null) {
            conf.set(SluiceConf.EXECUTOR_MEMORY_MB.name(), Integer.toString(memoryMb("--executor-memory", executorMemory)));
        }
        if (executorCores != null) {
            conf.set(SluiceConf.EXECUTOR_CORES.name(), Integer.toString(positive("--executor-cores", executorCores)));
        }
        if (numExecutors != null) {
            conf.set(SluiceConf.EXECUTOR_INSTANCES.name(), Integer.toString(positive("--num-executors", numExecutors)));
        }
        if (!jars.isEmpty()) {
            conf.set(SluiceConf.SUBMIT_JARS.name(), absolute(jars));
        }
        if (!files.isEmpty()) {
            conf.set(SluiceConf.SUBMIT_FILES.name(), absolute(files));
        }
        checked(conf);
        return conf;
    }

    /**
     * Fails with every invalid value at once (here, not in a driver the cluster manager starts) and prints a warning
     * for each unknown or deprecated key.
     */
    private SluiceConf checked(SluiceConf conf) {
        var report = conf.check(ConfigRegistry.load(backends));
        if (!report.errors().isEmpty()) {
            throw new UsageException(String.join("; ", report.errors()));
        }
        if (err != null) {
            report.warnings().forEach(w -> err.println("sluice-submit: warning: " + w));
        }
        return conf;
    }

    private static String absolute(List<Path> paths) {
        return String.join(",", paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
    }

    /** {@code 512m}, {@code 2g}, {@code 1024} (MiB) as MiB. */
    static int memoryMb(String option, String value) {
        Matcher m = MEMORY.matcher(value.trim());
        if (!m.matches()) {
            throw new UsageException(option + " expects a size such as 512m or 2g, got '" + value + "'");
        }
        long n = Long.parseLong(m.group(1));
        long mb = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> n / 1024;
            case "g" -> n * 1024;
            case "t" -> n * 1024 * 1024;
            default -> n;
        };
        if (mb < 64 || mb > Integer.MAX_VALUE) {
            throw new UsageException(option + " must be at least 64m, got '" + value + "'");
        }
        return (int) mb;
    }

    private static int positive(String option, int v) {
        if (v < 1) {
            throw new UsageException(option + " must be at least 1, got " + v);
        }
        return v;
    }

    /** Cluster deploy mode: through the master's submitter, following the application unless told not to. */
    private int submit(SubmitterFactory factory, SluiceConf conf) throws InterruptedException {
        try (Submitter submitter = factory.create(conf, env, out::println)) {
            String appId = submitter.submit(new SubmitRequest(jar, mainClass, appArgs, conf, Staging.sluiceJars(conf)));
            out.println("Application id: " + appId);
            if (!conf.get(SluiceConf.SUBMIT_WAIT_FOR_COMPLETION)) {
                return OK;
            }
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofDays(36500), st -> out.println(st.describe()));
            if (!end.succeeded()) {
                err.println("sluice-submit: application " + appId + " ended " + end.nativeState()
                        + (end.diagnostics().isBlank() ? "" : ": " + end.diagnostics()));
                return APP_FAILED;
            }
            return OK;
        }
    }

    /** Local masters: the driver runs in this JVM, from the application jar. */
    private int runHere(SluiceConf conf) throws Exception {
        if (!Files.isReadable(jar) || !Files.isRegularFile(jar)) {
            throw new SubmitException("Application jar " + jar.toAbsolutePath() + " does not exist or is not readable");
        }
        conf.asMap().forEach(System::setProperty);
        var urls = new ArrayList<URL>();
        urls.add(jar.toUri().toURL());
        for (Path extra : SubmitRequest.paths(conf.get(SluiceConf.SUBMIT_JARS))) {
            urls.add(extra.toUri().toURL());
        }
        try (var loader = new URLClassLoader(urls.toArray(URL[]::new), SluiceSubmit.class.getClassLoader())) {
            Class<?> c;
            try {
                c = Class.forName(mainClass, true, loader);
            } catch (ClassNotFoundException e) {
                throw new SubmitException("Main class " + mainClass + " was not found in " + jar);
            }
            var main = c.getMethod("main", String[].class);
            Thread.currentThread().setContextClassLoader(loader);
            try {
                main.invoke(null, (Object) appArgs.toArray(String[]::new));
            } catch (InvocationTargetException e) {
                err.println("sluice-submit: the application failed: " + e.getCause());
                e.getCause().printStackTrace(err);
                return APP_FAILED;
            }
            return OK;
        }
    }

    /** The settings of repeated {@code --conf key=value} options. */
    static SluiceConf confOf(List<String> confs) {
        var conf = new SluiceConf(false);
        for (String kv : confs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--conf expects key=value, got '" + kv + "'");
            }
            conf.set(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return conf;
    }

    /** Options shared by the query commands: the master whose submitter answers, and its settings. */
    abstract static class QueryCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        SluiceSubmit parent;
        @Option(names = "--master", description = "the cluster master to ask (default: the installed backend whose "
                + "application ids look like the one given; for list, the only installed one)")
        String master;
        @Option(names = "--conf", description = "a configuration setting key=value (repeatable)")
        List<String> confs = new ArrayList<>();

        /** The submitter of --master, else of the one installed backend whose application ids look like {@code appId}. */
        Submitter submitter(String appId) {
            ClassLoader loader = parent.backends;
            SubmitterFactory factory;
            if (master != null) {
                factory = Submitters.forMaster(master.trim(), loader)
                        .orElseThrow(() -> new UsageException(Submitters.noBackendMessage(master.trim(), loader)));
            } else {
                var all = Submitters.all(loader);
                var owners = appId == null ? all : Submitters.forApplicationId(appId, loader);
                if (owners.size() != 1) {
                    String forms = String.join(", ", all.stream().map(f -> f.masterForm() + ": " + f.applicationIdForm()).toList());
                    throw new UsageException(appId == null
                            ? "name the master to ask with --master (installed: " + forms + ")"
                            : owners.isEmpty()
                            ? "'" + appId + "' is not an application id of an installed backend (" + forms + ")"
                            : "'" + appId + "' could be an application of several masters; name one with --master");
                }
                factory = owners.get(0);
            }
            var conf = confOf(confs);
            if (master != null) {
                // which cluster to ask: a Kubernetes or Mesos master URL is its API's address
                conf.set(SluiceConf.MASTER.name(), master.trim());
            }
            return factory.create(parent.checked(conf), parent.env, parent.out::println);
        }
    }

    @Command(name = "status", description = "Shows the state of an application.")
    static final class Status extends QueryCommand {
        @Parameters(index = "0", description = "the application id")
        String id;

        @Override
        public Integer call() {
            try (var s = submitter(id)) {
                parent.out.println(s.status(id).describe());
                return OK;
            }
        }
    }

    @Command(name = "kill", description = "Kills an application.")
    static final class Kill extends QueryCommand {
        @Parameters(index = "0", description = "the application id")
        String id;

        @Override
        public Integer call() {
            try (var s = submitter(id)) {
                s.kill(id);
                parent.out.println("Killed " + id);
                return OK;
            }
        }
    }

    @Command(name = "list", description = "Lists the Sluice applications the cluster manager knows.")
    static final class ListApps extends QueryCommand {
        @Override
        public Integer call() {
            try (var s = submitter(null)) {
                for (ApplicationStatus st : s.list()) {
                    parent.out.println(st.describe());
                }
                return OK;
            }
        }
    }

    /**
     * {@code mini-cluster}: runs a {@link MiniCluster} (HDFS + YARN in this JVM) until Ctrl-C or SIGTERM, after
     * printing where it is, the {@code export HADOOP_CONF_DIR=...} line and an example submission. Needs the
     * minicluster jars on the class path ({@code bin/sluice-submit} adds {@code submit/target/mini-cluster-lib}).
     */
    @Command(name = "mini-cluster", description = "Runs HDFS and YARN on this machine (one DataNode, one NodeManager) "
            + "until Ctrl-C, and writes their client configuration for HADOOP_CONF_DIR.")
    static final class MiniClusterCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        SluiceSubmit parent;
        @Option(names = "--conf-dir", defaultValue = "target/mini-cluster/conf",
                description = "where core-site.xml and yarn-site.xml are written (default: ${DEFAULT-VALUE})")
        Path confDir;
        @Option(names = "--work-dir", defaultValue = "target/mini-cluster",
                description = "where HDFS and YARN keep data and container logs (default: ${DEFAULT-VALUE})")
        Path workDir;
        @Option(names = "--memory", defaultValue = "4g", description = "memory of the NodeManager (default: ${DEFAULT-VALUE})")
        String memory;
        @Option(names = "--vcores", defaultValue = "4", description = "virtual cores of the NodeManager (default: ${DEFAULT-VALUE})")
        int vcores;

        @Override
        public Integer call() throws Exception {
            try {
                Class.forName("org.apache.hadoop.yarn.server.MiniYARNCluster", false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new SubmitException("the minicluster classes are not on the class path: build with "
                        + "mvn -B -DskipTests package (bin/sluice-submit adds submit/target/mini-cluster-lib)");
            }
            var settings = new MiniCluster.Settings(workDir, confDir, memoryMb("--memory", memory), positive("--vcores", vcores));
            var stopped = new java.util.concurrent.CountDownLatch(1);
            MiniCluster cluster = MiniCluster.start(settings);
            // before Hadoop's own hook closes the file systems (priority 10)
            org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(() -> {
                try {
                    cluster.close();
                } finally {
                    stopped.countDown();
                }
            }, 50);
            cluster.instructions().forEach(parent.out::println);
            stopped.await();
            return OK;
        }
    }
}
