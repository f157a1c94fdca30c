package io.sluice.cluster;

import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.executor.ExecutorMain;
import io.sluice.serde.RequiredJvmOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one executor JVM starts, the same on every cluster manager: its JVM options (heap, exit on out-of-memory, the
 * {@code --add-opens} Kryo needs, the startup settings, {@code sluice.executor.extraJavaOptions}), its main class
 * ({@link ExecutorMain}), its environment contract ({@link ExecutorLaunchSettings}: driver address, application id and
 * attempt, executor id, cores) and where its output goes ({@value #STDOUT} and {@value #STDERR} in a log directory of
 * its own). A backend only says which {@code java} runs it and with what class path, and turns the plan into its
 * cluster manager's unit: a child process ({@code local-cluster}), a YARN container's launch context, a Kubernetes pod
 * spec (command, env, resources from {@link #heapMb()} and {@link #cores()}), a Mesos {@code TaskInfo}.
 *
 * <pre>{@code
 * var plan = ExecutorLaunchPlan.of(conf, spec, ids.next(), appId, attempt);   // spec.environment() names the driver
 * List<String> argv = plan.command(javaHome + "/bin/java", classPath, List.of());   // ProcessBuilder, pod command
 * String line = plan.shellCommand("$JAVA_HOME/bin/java", null, List.of(), "<LOG_DIR>"); // YARN's launch script
 * plan.environment();                                                            // the process environment
 * }</pre>
 *
 * <p>Startup settings are the {@code sluice.rpc.*}, {@code sluice.kryo.*} and {@code sluice.network.*} keys an executor
 * needs before it registers, passed as {@code -D} options; the rest of the configuration comes from the driver at
 * registration.
 */
public final class ExecutorLaunchPlan {
    /** The executor's standard output and error, as files in its log directory. */
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    /** The keys an executor needs before it registers (the rest comes from the driver), passed as {@code -D}. */
    public static final List<String> STARTUP_PREFIXES = List.of("sluice.rpc.", "sluice.kryo.", "sluice.network.");

    private final ExecutorId id;
    private final int cores;
    private final int heapMb;
    private final List<String> jvmOptions;
    private final Map<String, String> environment;

    private ExecutorLaunchPlan(ExecutorId id, int cores, int heapMb, List<String> jvmOptions, Map<String, String> environment) {
        this.id = id;
        this.cores = cores;
        this.heapMb = heapMb;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.environment = Map.copyOf(environment);
    }

    /**
     * The plan of executor {@code id} of application {@code appId}, attempt {@code attempt}, with {@code spec}'s cores,
     * heap and environment (which must name the driver: {@value ExecutorLaunchSettings#DRIVER_URL}); the startup
     * settings and extra JVM options come from {@code conf}.
     *
     * @throws IllegalArgumentException when the spec's environment does not name the driver
     */
    public static ExecutorLaunchPlan of(SluiceConf conf, ExecutorSpec spec, ExecutorId id, String appId, int attempt) {
        checkSpec(spec);
        var opts = new ArrayList<String>();
        opts.add("-Xmx" + spec.memoryMb() + "m");
        opts.add("-XX:+ExitOnOutOfMemoryError");
        opts.add("-Dlog4j2.shutdownHookEnabled=false"); // ExecutorMain's own hook logs the shutdown, then stops log4j
        opts.addAll(RequiredJvmOptions.OPTIONS);
        conf.asMap().forEach((k, v) -> {
            if (STARTUP_PREFIXES.stream().anyMatch(k::startsWith)) {
                opts.add("-D" + k + "=" + v);
            }
        });
        opts.addAll(splitOptions(conf.get(SluiceConf.EXECUTOR_JAVA_OPTIONS)));
        var env = new LinkedHashMap<String, String>();
        env.put(ExecutorLaunchSettings.APP_ID, appId); // the spec's (set by the driver) wins
        env.putAll(spec.environment());
        env.put(ExecutorLaunchSettings.EXECUTOR_ID, id.value());
        env.put(ExecutorLaunchSettings.CORES, Integer.toString(spec.cores()));
        env.put(ExecutorLaunchSettings.APP_ATTEMPT, Integer.toString(attempt));
        return new ExecutorLaunchPlan(id, spec.cores(), spec.memoryMb(), opts, env);
    }

    /**
     * Refuses a spec whose environment does not name the driver ({@value ExecutorLaunchSettings#DRIVER_URL}): an
     * executor started from it could not register.
     */
    public static void checkSpec(ExecutorSpec spec) {
        if (!spec.environment().containsKey(ExecutorLaunchSettings.DRIVER_URL)) {
            throw new IllegalArgumentException("the executor spec's environment must contain "
                    + ExecutorLaunchSettings.DRIVER_URL + " (the driver's host:port)");
        }
    }

    public ExecutorId executorId() {
        return id;
    }

    public int cores() {
        return cores;
    }

    /** The executor's heap in MiB; a cluster manager's container adds its overhead on top. */
    public int heapMb() {
        return heapMb;
    }

    /** The JVM options, in order: heap, exit on out-of-memory, add-opens, startup settings, extra options. */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    public String mainClass() {
        return ExecutorMain.class.getName();
    }

    /** The environment the executor's process must start with (see {@link ExecutorLaunchSettings}). */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * The command as separate arguments: {@code java}, the JVM options, {@code backendOptions} (e.g. a logging
     * configuration of the backend's), {@code -cp classPath} unless it is null (the class path then comes from the
     * {@code CLASSPATH} environment variable), the main class.
     */
    public List<String> command(String java, String classPath, List<String> backendOptions) {
        var cmd = new ArrayList<String>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.addAll(backendOptions);
        if (classPath != null) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        cmd.add(mainClass());
        return cmd;
    }

    /**
     * {@link #command} as one shell line, for launchers that run it through a shell (YARN's container launch script),
     * with the output redirected to {@value #STDOUT} and {@value #STDERR} in {@code logDir}. The java command and the
     * log directory are written as given (so that they may hold the launcher's variables, such as {@code $JAVA_HOME});
     * every other argument that a shell would change is single-quoted.
     */
    public String shellCommand(String java, String classPath, List<String> backendOptions, String logDir) {
        List<String> cmd = command(java, classPath, backendOptions);
        var words = new ArrayList<String>();
        words.add(java);
        for (String arg : cmd.subList(1, cmd.size())) {
            words.add(quoteIfNeeded(arg));
        }
        words.add("1>" + logDir + "/" + STDOUT);
        words.add("2>" + logDir + "/" + STDERR);
        return String.join(" ", words);
    }

    /** The log directory of an executor under {@code root}: {@code <root>/<executor id>} (local processes). */
    public static Path logDirectory(Path root, ExecutorId id) {
        return root.resolve(id.value());
    }

    /** Space-separated JVM options (as in {@code sluice.executor.extraJavaOptions}) as separate arguments. */
    public static List<String> splitOptions(String options) {
        return options == null || options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
    }

    /** {@code s} single-quoted for a POSIX shell if it holds anything a shell would interpret. */
    public static String quoteIfNeeded(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_=./:,+@%".indexOf(c) >= 0)) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return "ExecutorLaunchPlan[" + id + ", " + cores + " cores, " + heapMb + " MiB]";
    }
}
