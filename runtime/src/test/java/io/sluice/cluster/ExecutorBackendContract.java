package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.util.SystemClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor contract every {@link ClusterBackend} must pass, written once: a backend's test module extends this
 * class and says how to make the backend ({@link #newBackend}); everything else is the production path — a driver RPC
 * server, the {@link ExecutorManager} with the shared allocator and registry, and real executor processes running
 * {@code ExecutorMain}. The tests assert on states and events (registrations, losses with their reason, processes),
 * never on log wording:
 * <ul>
 *   <li>N executors are launched and register, named {@code <app>-exec-<attempt>-<n>};</li>
 *   <li>an executor killed from outside (SIGKILL) is reported lost with the reason of a process that exited, and
 *       replaced by a new one that registers;</li>
 *   <li>releasing an executor reports it {@link ExecutorLossReason#RELEASED_BY_DRIVER} and its process ends;</li>
 *   <li>stopping leaves no executor process.</li>
 * </ul>
 * Executors are killed and watched through the pid they register with, so the default hooks need them on this host
 * (local-cluster, a mini cluster); a backend whose executors run elsewhere overrides {@link #killFromOutside} and
 * {@link #isAlive}.
 */
public abstract class ExecutorBackendContract {
    private static final AtomicInteger APPS = new AtomicInteger();

    /** Events of the manager's listener, in order: {@code registered <id>}, {@code lost <id> <reason>}, {@code fatal ...}. */
    protected final List<String> events = new CopyOnWriteArrayList<>();
    private final List<ExecutorInfo> registered = new CopyOnWriteArrayList<>();
    private DriverEndpoints driver;
    private ExecutorManager manager;
    private String appId;

    /**
     * The backend under test, for {@code conf} (which names the application, {@code sluice.app.id}, and carries
     * {@link #configure}'s settings). Not started: the manager starts it.
     */
    protected abstract ClusterBackend newBackend(SluiceConf conf) throws Exception;

    /** Adds the backend's own settings (its master URL, ...) to the application's configuration. */
    protected SluiceConf configure(SluiceConf conf) {
        return conf;
    }

    /** What each executor asks for; the driver's address is added by the manager. */
    protected ExecutorSpec spec() {
        return new ExecutorSpec(1, 256, Map.of());
    }

    /** How long launches, registrations and process ends may take on this backend (generous: the machine is shared). */
    protected Duration timeout() {
        return Duration.ofMinutes(3);
    }

    /** Kills the executor's process the way a crash or an operator would: SIGKILL, not through the backend. */
    protected void killFromOutside(ExecutorInfo executor) {
        ProcessHandle.of(executor.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Whether the executor's process still runs. */
    protected boolean isAlive(ExecutorInfo executor) {
        return ProcessHandle.of(executor.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The reason a backend reports for an executor killed from outside: its process exited. */
    protected ExecutorLossReason killedReason() {
        return ExecutorLossReason.EXITED;
    }

    @BeforeEach
    void startDriver() throws Exception {
        appId = "contract-" + ProcessHandle.current().pid() + "-" + APPS.incrementAndGet();
        SluiceConf conf = configure(new SluiceConf(false)
                .set(SluiceConf.APP_ID, appId)
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofSeconds(1))
                .set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofMinutes(2)) // losses come from the backend, not silence
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, timeout())
                .set(SluiceConf.EXECUTOR_FAILURE_BACKOFF, Duration.ofMillis(100))
                .set(SluiceConf.EXECUTOR_STOP_GRACE, Duration.ofSeconds(10)));
        driver = new DriverEndpoints(conf);
        manager = new ExecutorManager(conf, driver, newBackend(conf), spec(), new SystemClock(),
                new ExecutorRegistry.Listener() {
                    @Override
                    public void executorRegistered(ExecutorInfo executor) {
                        registered.add(executor);
                        events.add("registered " + executor.id());
                    }

                    @Override
                    public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                        events.add("lost " + id + " " + reason);
                    }
                }, id -> true, reason -> events.add("fatal " + reason));
        manager.start();
    }

    @AfterEach
    void stopDriver() {
        try {
            if (manager != null) {
                manager.stop();
            }
        } finally {
            if (driver != null) {
                driver.close();
            }
        }
    }

    private void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout().toSeconds() + " s: " + what + "; events " + events);
            }
            Thread.sleep(50);
        }
    }

    private List<ExecutorInfo> awaitRunning(int n) throws InterruptedException {
        await(n + " executors registered and running", () -> manager.runningExecutors().size() == n
                && manager.registeredExecutors().size() == n);
        return manager.registeredExecutors();
    }

    @Test
    void launchesTheExecutorsAskedForWhichRegisterUnderTheSharedIdForm() throws Exception {
        manager.requestTotalExecutors(2);
        List<ExecutorInfo> running = awaitRunning(2);
        assertThat(running).extracting(e -> e.id().value()).allMatch(id -> id.startsWith(appId + "-exec-1-"));
        assertThat(running).allSatisfy(e -> assertThat(isAlive(e)).as(e.id() + " runs").isTrue());
        assertThat(events).hasSize(2).allMatch(e -> e.startsWith("registered "));
    }

    @Test
    void anExecutorKilledFromOutsideIsReportedLostAsExitedAndReplaced() throws Exception {
        manager.requestTotalExecutors(2);
        List<ExecutorInfo> first = awaitRunning(2);
        ExecutorInfo victim = first.get(0);
        killFromOutside(victim);

        await("the loss of " + victim.id(), () -> events.stream().anyMatch(e -> e.startsWith("lost " + victim.id() + " ")));
        assertThat(events).contains("lost " + victim.id() + " " + killedReason());
        await("a replacement registered", () -> registered.size() == 3);
        ExecutorInfo replacement = registered.get(2);
        assertThat(first).extracting(ExecutorInfo::id).doesNotContain(replacement.id());
        assertThat(awaitRunning(2)).extracting(ExecutorInfo::id).contains(first.get(1).id(), replacement.id());
        assertThat(events).noneMatch(e -> e.startsWith("fatal"));
    }

    @Test
    void aReleasedExecutorIsReportedReleasedAndItsProcessEnds() throws Exception {
        manager.requestTotalExecutors(2);
        List<ExecutorInfo> running = awaitRunning(2);
        manager.requestTotalExecutors(1);
        List<ExecutorInfo> left = awaitRunning(1);
        ExecutorInfo released = running.stream().filter(e -> !e.id().equals(left.get(0).id())).findFirst().orElseThrow();
        assertThat(events).contains("lost " + released.id() + " " + ExecutorLossReason.RELEASED_BY_DRIVER);
        await("the released executor's process ends", () -> !isAlive(released));
        assertThat(isAlive(left.get(0))).isTrue();
        assertThat(registered).as("nothing replaces a released executor").hasSize(2);
    }

    @Test
    void stoppingLeavesNoExecutorProcess() throws Exception {
        manager.requestTotalExecutors(2);
        List<ExecutorInfo> running = awaitRunning(2);
        manager.stop();
        driver.close();
        for (ExecutorInfo e : running) {
            await("the process of " + e.id() + " ends", () -> !isAlive(e));
        }
    }
}
