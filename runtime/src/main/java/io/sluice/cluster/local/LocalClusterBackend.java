package io.sluice.cluster.local;

import io.sluice.cluster.AbstractClusterBackend;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorIds;
import io.sluice.cluster.ExecutorLaunchPlan;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorExitCode;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.executor.ExecutorMain;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@code local-cluster[E,C,M]} backend: each executor is a child JVM of the driver running {@link ExecutorMain},
 * the same main every cluster manager launches. Mechanism only: the {@code ExecutorAllocator} decides how many.
 *
 * <pre>{@code
 * ClusterBackend backend = new LocalClusterManagerFactory().create(conf);   // parses sluice.master
 * backend.start(events, mainThread, io);
 * backend.launchExecutor(spec)          // future completes with <app>-exec-<attempt>-<n> (ExecutorIds) before the JVM starts;
 *                                       // then events.executorLaunched(id, "127.0.0.1"), or executorLost(LAUNCH_FAILED)
 *   ... the child registers with the driver by itself (SLUICE_DRIVER_URL from spec.environment()) ...
 * backend.releaseExecutor(id);          // SIGTERM, SIGKILL after sluice.executor.stopGracePeriod;
 *                                       // then events.executorLost(id, RELEASED_BY_DRIVER, exit status)
 *   ... a child that exits by itself: events.executorLost(id, EXITED or MEMORY_LIMIT, exit status + stderr tail)
 * backend.deregister(status, diagnostics);  // recorded; later launches are refused
 * backend.stop();                       // terminates every child, kills stragglers, waits (bounded); no more events
 * }</pre>
 *
 * <p>Child command: the executor's {@link ExecutorLaunchPlan} run with this JVM's {@code java} and class path
 * ({@code -cp}), environment the plan's plus {@code SLUICE_EXECUTOR_HOST=127.0.0.1}; stdout and stderr go to the
 * plan's log directory under the work directory, {@code <workDir>/<id>/stdout|stderr}.
 *
 * <p>Threading: thread-safe. Processes start on the {@code io} executor; events are posted to {@code mainThread},
 * in order per executor (launched before lost), through {@link AbstractClusterBackend}. {@link #stop} is idempotent.
 */
public final class LocalClusterBackend extends AbstractClusterBackend {
    private static final Logger LOG = LogManager.getLogger(LocalClusterBackend.class);
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final String HOST = "127.0.0.1";

    /** One child JVM. {@code released} is set before the driver's SIGTERM, so its exit reads as a release. */
    private static final class Child {
        final ExecutorId id;
        final Process process;
        final Path stderr;
        volatile boolean released;

        Child(ExecutorId id, Process process, Path stderr) {
            this.id = id;
            this.process = process;
            this.stderr = stderr;
        }
    }

    private final LocalClusterUrl url;
    private final String appId;
    private final int attempt;
    private final Path workDir;
    private final Duration stopGrace;
    private final SluiceConf launchConf;
    private final ExecutorIds ids;
    private final Map<ExecutorId, Child> children = new ConcurrentHashMap<>();
    private final Set<ExecutorId> starting = new HashSet<>(); // guarded by this
    private final Set<ExecutorId> releasedBeforeStart = new HashSet<>(); // guarded by this

    /**
     * @param launchConf what the executors' launch plans come from (startup settings, extra JVM options)
     */
    public LocalClusterBackend(LocalClusterUrl url, String appId, int attempt, Path workDir, Duration stopGrace,
                               SluiceConf launchConf) {
        if (appId == null || appId.isBlank()) {
            throw new IllegalArgumentException(SluiceConf.APP_ID.name() + " must be set before the local-cluster backend is "
                    + "created: it names the executors");
        }
        this.url = url;
        this.appId = appId;
        this.attempt = attempt;
        this.workDir = workDir;
        this.stopGrace = stopGrace;
        this.launchConf = launchConf;
        this.ids = new ExecutorIds(appId, attempt);
    }

    /** A backend configured from {@code conf} (see {@link LocalClusterManagerFactory#create}). */
    public static LocalClusterBackend create(LocalClusterUrl url, SluiceConf conf) {
        String appId = conf.get(SluiceConf.APP_ID);
        String dir = conf.get(SluiceConf.LOCAL_CLUSTER_WORK_DIR);
        Path workDir = dir.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "sluice-local-cluster", appId.isBlank() ? "unnamed" : appId)
                : Path.of(dir);
        return new LocalClusterBackend(url, appId, conf.get(SluiceConf.APP_ATTEMPT), workDir,
                conf.get(SluiceConf.EXECUTOR_STOP_GRACE), conf);
    }

    /** The parsed master URL; its E, C and M are the initial executor count and the executor spec. */
    public LocalClusterUrl url() {
        return url;
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    protected String describe() {
        return "the local-cluster backend of " + appId;
    }

    @Override
    protected void doStart() {
        LOG.info("Local-cluster backend of {} (attempt {}, {}) started; executor logs under {}", appId, attempt, url, workDir);
    }

    /**
     * Starts one child JVM. The future completes with the executor's id once the launch is accepted (before the JVM
     * starts), or fails if the backend is not running or {@code spec.environment()} lacks {@code SLUICE_DRIVER_URL}.
     */
    @Override
    protected CompletableFuture<ExecutorId> doLaunch(ExecutorSpec spec) {
        ExecutorLaunchPlan.checkSpec(spec);
        ExecutorId id = ids.next();
        ExecutorLaunchPlan plan = ExecutorLaunchPlan.of(launchConf, spec, id, appId, attempt);
        var accepted = new CompletableFuture<ExecutorId>();
        synchronized (this) {
            starting.add(id);
        }
        try {
            io().execute(() -> launch(plan, spec, accepted));
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                starting.remove(id);
            }
            accepted.completeExceptionally(new IllegalStateException("cannot launch executor " + id + ": the I/O executor is shut down", e));
        }
        return accepted;
    }

    private void launch(ExecutorLaunchPlan plan, ExecutorSpec spec, CompletableFuture<ExecutorId> accepted) {
        ExecutorId id = plan.executorId();
        accepted.complete(id); // accepted: from here on, the outcome arrives as an event
        Process process;
        Child child;
        Path dir = ExecutorLaunchPlan.logDirectory(workDir, id);
        synchronized (this) {
            starting.remove(id);
            if (!isRunning()) {
                reportLost(id, ExecutorLossReason.LAUNCH_FAILED, "the backend stopped before executor " + id + " started");
                return;
            }
            if (releasedBeforeStart.remove(id)) {
                // reported as a launch that never happened, the one loss allowed without executorLaunched
                reportLost(id, ExecutorLossReason.LAUNCH_FAILED, "executor " + id
                        + " was released by the driver before its JVM started, so it was never started");
                return;
            }
            try {
                Files.createDirectories(dir);
                ProcessBuilder pb = new ProcessBuilder(plan.command(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        System.getProperty("java.class.path"), List.of()))
                        .directory(dir.toFile())
                        .redirectOutput(dir.resolve(ExecutorLaunchPlan.STDOUT).toFile())
                        .redirectError(dir.resolve(ExecutorLaunchPlan.STDERR).toFile());
                Map<String, String> env = pb.environment();
                env.keySet().removeIf(k -> k.startsWith("SLUICE_")); // never inherit the driver's own
                env.putAll(plan.environment());
                env.put(ExecutorLaunchSettings.BIND_HOST, HOST);
                process = pb.start();
            } catch (IOException | RuntimeException e) {
                LOG.error("Application {}: cannot start executor {}: {}", appId, id, e.toString());
                reportLost(id, ExecutorLossReason.LAUNCH_FAILED, "cannot start the JVM of executor " + id + ": " + e);
                return;
            }
            child = new Child(id, process, dir.resolve(ExecutorLaunchPlan.STDERR));
            children.put(id, child);
        }
        LOG.info("Application {}: started executor {} (pid {}, {} cores, {} MiB), logs in {}", appId, id, process.pid(),
                spec.cores(), spec.memoryMb(), dir);
        reportLaunched(id, HOST);
        // after executorLaunched was posted: lost comes second; handled on our I/O thread, not the JDK's reaper
        process.onExit().thenRun(() -> {
            try {
                io().execute(() -> onExit(child));
            } catch (RejectedExecutionException e) {
                onExit(child); // the I/O executor is gone: the driver is shutting down
            }
        });
    }

    /** The process of a running executor, e.g. for diagnostics; empty for an unknown or ended one. */
    public Optional<ProcessHandle> process(ExecutorId id) {
        Child c = children.get(id);
        return c == null ? Optional.empty() : Optional.of(c.process.toHandle());
    }

    private void onExit(Child child) {
        synchronized (this) {
            if (!isRunning() || children.remove(child.id) == null) {
                return; // stop() reaps it and reports nothing
            }
        }
        int code = child.process.exitValue();
        ExecutorLossReason reason = child.released ? ExecutorLossReason.RELEASED_BY_DRIVER
                : code == ExecutorExitCode.OUT_OF_MEMORY.code() ? ExecutorLossReason.MEMORY_LIMIT
                : ExecutorLossReason.EXITED;
        String diagnostics = "executor " + child.id + " (pid " + child.process.pid() + ") " + ExecutorExitCode.describe(code)
                + "; stderr: " + child.stderr + tail(child.stderr).map(t -> "\n" + t).orElse("");
        if (reason == ExecutorLossReason.RELEASED_BY_DRIVER) {
            LOG.info("Application {}: released executor {} exited ({})", appId, child.id, ExecutorExitCode.describe(code));
        } else {
            LOG.warn("Application {}: {}", appId, diagnostics);
        }
        reportLost(child.id, reason, diagnostics);
    }

    /**
     * Terminates the executor's JVM (SIGTERM), and kills it with its descendants (SIGKILL) if it is still alive after
     * {@code sluice.executor.stopGracePeriod}. Its exit is reported as {@link ExecutorLossReason#RELEASED_BY_DRIVER}.
     * Unknown or already gone ids are ignored.
     */
    @Override
    public void releaseExecutor(ExecutorId id) {
        Child child;
        synchronized (this) {
            child = children.get(id);
            if (child == null) {
                if (starting.contains(id)) {
                    releasedBeforeStart.add(id); // launch() sees it and does not start the JVM
                }
                return;
            }
            child.released = true;
        }
        LOG.info("Application {}: releasing executor {} (pid {})", appId, id, child.process.pid());
        child.process.destroy();
        CompletableFuture.delayedExecutor(stopGrace.toMillis(), TimeUnit.MILLISECONDS, io()).execute(() -> {
            if (child.process.isAlive()) {
                LOG.warn("Application {}: executor {} (pid {}) did not exit within {} ms of SIGTERM; killing it", appId,
                        id, child.process.pid(), stopGrace.toMillis());
                killTree(child.process);
            }
        });
    }

    /**
     * Terminates every child (SIGTERM), kills those still alive after the grace period (SIGKILL, with descendants) and
     * waits for them, each wait bounded. No events are posted afterwards. Idempotent.
     *
     * @throws IllegalStateException naming the pids of children that survived even SIGKILL
     */
    @Override
    protected void doStop() {
        List<Child> reaping;
        synchronized (this) {
            // the state is STOPPED: a launch() still queued on the I/O executor now starts nothing
            reaping = new ArrayList<>(children.values());
            children.clear();
        }
        reaping.forEach(c -> c.process.destroy());
        awaitExits(reaping, stopGrace);
        var stragglers = reaping.stream().filter(c -> c.process.isAlive()).toList();
        if (!stragglers.isEmpty()) {
            LOG.warn("Application {}: {} executors still running {} ms after SIGTERM; killing them", appId, stragglers.size(),
                    stopGrace.toMillis());
            stragglers.forEach(c -> killTree(c.process));
            awaitExits(stragglers, KILL_WAIT);
        }
        var survivors = reaping.stream().filter(c -> c.process.isAlive()).map(c -> c.id + " (pid " + c.process.pid() + ")").toList();
        LOG.info("Local-cluster backend of {} stopped ({} executors terminated)", appId, reaping.size());
        if (!survivors.isEmpty()) {
            throw new IllegalStateException("executors survived SIGKILL: " + survivors);
        }
    }

    private static void awaitExits(List<Child> children, Duration timeout) {
        var exits = children.stream().map(c -> c.process.onExit()).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // the caller looks at who is still alive
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The last lines of a log file (at most 2 KiB), for diagnostics. */
    private static Optional<String> tail(Path file) {
        try (var raf = new RandomAccessFile(file.toFile(), "r")) {
            long len = raf.length();
            if (len == 0) {
                return Optional.empty();
            }
            int n = (int) Math.min(len, 2048);
            byte[] buf = new byte[n];
            raf.seek(len - n);
            raf.readFully(buf);
            return Optional.of(new String(buf, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
