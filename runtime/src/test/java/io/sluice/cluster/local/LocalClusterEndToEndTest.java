package io.sluice.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ClusterManagers;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorManager;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.ExecutorMain;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.util.SystemClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver's executor machinery against real child JVMs: {@link DriverEndpoints}, the {@link ExecutorRegistry},
 * the real {@code ExecutorAllocator} and {@link LocalClusterBackend}, wired by {@link ExecutorManager}.
 */
class LocalClusterEndToEndTest {
    private static final long WAIT_S = 120; // child JVMs start slowly on a loaded machine

    @TempDir
    Path workDir;

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> fatal = new CopyOnWriteArrayList<>();
    private final Set<Long> executorPids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private DriverEndpoints driver;
    private ExecutorManager manager;

    @BeforeEach
    void start() {
        var conf = new SluiceConf(false)
                .setMaster("local-cluster[2,1,128]")
                .set(SluiceConf.APP_ID, "e2e-" + ProcessHandle.current().pid())
                .set(SluiceConf.DRIVER_HOST, "127.0.0.1")
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofSeconds(30))
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofMillis(200))
                .set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofSeconds(30))
                .set(SluiceConf.NETWORK_TIMEOUT, Duration.ofSeconds(30))
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(WAIT_S))
                .set(SluiceConf.EXECUTOR_FAILURE_BACKOFF, Duration.ofMillis(100))
                .set(SluiceConf.EXECUTOR_STOP_GRACE, Duration.ofSeconds(10))
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString());
        driver = new DriverEndpoints(conf);
        var backend = ClusterManagers.forMaster(conf.get(SluiceConf.MASTER), getClass().getClassLoader()).orElseThrow().create(conf);
        manager = new ExecutorManager(conf, driver, backend, ExecutorSpec.fromConf(conf),
                new SystemClock(), new ExecutorRegistry.Listener() {
                    @Override
                    public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                        executorPids.add(executor.pid());
                        events.add("registered " + executor.id());
                    }

                    @Override
                    public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                        events.add("lost " + id + " " + reason + " " + diagnostics);
                    }
                }, id -> true, fatal::add);
        manager.start();
    }

    @AfterEach
    void stop() {
        try {
            manager.stop();
        } finally {
            driver.close();
            executorChildren().forEach(ProcessHandle::destroyForcibly); // only if the test failed half-way
        }
    }

    /**
     * Java processes below this JVM: the executors ({@code ProcessHandle.Info} drops the arguments of a command line
     * as long as the executors' class path, so they cannot be told apart by {@link ExecutorMain}'s name).
     */
    private static List<ProcessHandle> executorChildren() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .toList();
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT_S + " s: " + what + "; events: " + events);
            }
            Thread.sleep(50);
        }
    }

    private List<String> registered() {
        return events.stream().filter(e -> e.startsWith("registered ")).map(e -> e.substring("registered ".length())).toList();
    }

    @Test
    void executorsRegisterAreReplacedWhenKilledAndLeaveNoProcessBehind() throws Exception {
        manager.requestTotalExecutors(2);
        await("two executors register", () -> registered().size() == 2);
        assertThat(registered()).allMatch(id -> id.matches("e2e-\\d+-exec-1-\\d+"));
        assertThat(manager.runningExecutors()).hasSize(2);
        assertThat(executorChildren()).extracting(ProcessHandle::pid).containsExactlyInAnyOrderElementsOf(executorPids);
        var first = new HashSet<>(registered());

        // SIGKILL one executor: the backend sees the exit, the allocator launches a replacement that registers
        ExecutorRegistry.ExecutorInfo victim = manager.registeredExecutors().get(0);
        ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
        await("the killed executor is reported lost", () -> events.stream().anyMatch(e -> e.startsWith("lost " + victim.id())));
        String loss = events.stream().filter(e -> e.startsWith("lost " + victim.id())).findFirst().orElseThrow();
        assertThat(loss).contains("EXITED").contains("exit code 137").contains("SIGKILL");
        await("a replacement registers", () -> registered().size() == 3);
        var replacement = new ArrayList<>(registered());
        replacement.removeAll(first);
        assertThat(replacement).hasSize(1).doesNotContain(victim.id().value());
        await("two executors run again", () -> manager.runningExecutors().size() == 2);
        assertThat(events.stream().filter(e -> e.startsWith("lost ")).count()).isEqualTo(1);
        assertThat(Files.exists(workDir.resolve(replacement.get(0)).resolve("stderr"))).isTrue();
        assertThat(fatal).isEmpty();

        // scale to zero: both are released and their JVMs exit
        manager.requestTotalExecutors(0);
        await("every executor JVM exits", () -> executorChildren().isEmpty());
        await("both are reported lost", () -> events.stream().filter(e -> e.startsWith("lost ")).count() == 3);
        assertThat(events.stream().filter(e -> e.startsWith("lost ")).skip(1)).allMatch(e -> e.contains("RELEASED_BY_DRIVER"));
        assertThat(manager.registeredExecutors()).isEmpty();
        assertThat(manager.runningExecutors()).isEmpty();

        // one more, then stop(): nothing is left running
        manager.requestTotalExecutors(1);
        await("a new executor registers", () -> registered().size() == 4);
        assertThat(executorChildren()).hasSize(1);
        manager.stop();
        assertThat(executorChildren()).isEmpty();
        assertThat(ProcessHandle.current().descendants().filter(p -> executorPids.contains(p.pid())).toList()).isEmpty();
        assertThat(fatal).isEmpty();
    }
}
