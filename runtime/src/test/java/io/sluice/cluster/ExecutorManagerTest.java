package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.executor.ExecutorMessages.Heartbeat;
import io.sluice.executor.ExecutorMessages.RegisterExecutor;
import io.sluice.executor.ExecutorMessages.Registered;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wiring of backend, allocator and registry, with a fake backend and executors simulated by messages. */
class ExecutorManagerTest {
    private static final long WAIT_S = 10;

    /** Accepts every launch at once, naming executors app-m-exec-1-N; thread-safe. */
    private static class FakeBackend implements ClusterBackend {
        final List<ExecutorSpec> launched = new CopyOnWriteArrayList<>();
        final List<ExecutorId> released = new CopyOnWriteArrayList<>();
        final List<String> deregistered = new CopyOnWriteArrayList<>();
        volatile boolean stopped;

        @Override
        public void start(ExecutorEventHandler events, Executor mainThread, Executor io) {
        }

        @Override
        public CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec) {
            launched.add(spec);
            return CompletableFuture.completedFuture(new ExecutorId("app-m-exec-1-" + launched.size()));
        }

        @Override
        public void releaseExecutor(ExecutorId id) {
            released.add(id);
        }

        @Override
        public void deregister(FinalStatus status, String diagnostics) {
            deregistered.add(status + ": " + diagnostics);
        }

        @Override
        public void stop() {
            stopped = true;
        }
    }

    private final ManualClock clock = new ManualClock(0);
    private final FakeBackend backend = new FakeBackend();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private DriverEndpoints driver;
    private ExecutorManager manager;

    @BeforeEach
    void setUp() {
        var conf = new SluiceConf(false)
                .set(SluiceConf.APP_ID, "app-m")
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofMillis(20)) // the tick: 20 ms of real time
                .set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofSeconds(30))
                .set(SluiceConf.EXECUTOR_FAILURE_BACKOFF, Duration.ofSeconds(5))
                .set(SluiceConf.EXECUTOR_STOP_GRACE, Duration.ofSeconds(1));
        driver = new DriverEndpoints(conf);
        manager = new ExecutorManager(conf, driver, backend, new ExecutorSpec(2, 256, Map.of("EXTRA", "1")), clock,
                new ExecutorRegistry.Listener() {
                    @Override
                    public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                        events.add("registered " + executor.id());
                    }

                    @Override
                    public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                        events.add("lost " + id + " " + reason);
                    }
                }, id -> true, msg -> events.add("fatal " + msg));
        manager.start();
    }

    @AfterEach
    void tearDown() {
        manager.stop();
        driver.close();
        assertThat(backend.stopped).isTrue();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT_S + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private Object register(ExecutorId id) {
        return manager.registry().receive(null, new RegisterExecutor(id, "app-m", "127.0.0.1", 1, 2, 1));
    }

    @Test
    void launchedExecutorsCarryTheDriversAddressAndAppId() throws Exception {
        manager.requestTotalExecutors(2);
        await("two launches", () -> backend.launched.size() == 2);
        ExecutorSpec spec = backend.launched.get(0);
        assertThat(spec.cores()).isEqualTo(2);
        assertThat(spec.environment()).containsEntry(ExecutorLaunchSettings.DRIVER_URL, driver.url())
                .containsEntry(ExecutorLaunchSettings.APP_ID, "app-m").containsEntry("EXTRA", "1");
        // launched ids may register, other ids may not
        assertThat(register(new ExecutorId("app-m-exec-1-1"))).isInstanceOf(Registered.class);
        assertThat(register(new ExecutorId("app-m-exec-1-9"))).isNotInstanceOf(Registered.class);
        await("one running", () -> manager.runningExecutors().size() == 1);
        assertThat(events).containsExactly("registered app-m-exec-1-1");
    }

    @Test
    void silentExecutorIsLostOnceReleasedAndReplacedAfterBackoff() throws Exception {
        manager.requestTotalExecutors(1);
        var first = new ExecutorId("app-m-exec-1-1");
        await("launch", () -> backend.launched.size() == 1);
        register(first);
        await("running", () -> manager.runningExecutors().equals(List.of(first)));

        clock.advance(20_000);
        manager.registry().receive(null, new Heartbeat(first, 1, null));
        clock.advance(30_000); // exactly the lost timeout since the heartbeat: still alive
        assertThat(manager.registry().runOnce(clock.currentTimeMillis())).isEmpty();
        clock.advance(1); // lost at the next tick
        await("lost", () -> events.contains("lost " + first + " HEARTBEAT_TIMEOUT"));
        await("the silent process is released", () -> backend.released.contains(first));
        assertThat(backend.launched).hasSize(1); // backing off 5 s after the failure

        clock.advance(5_000);
        await("replacement launched", () -> backend.launched.size() == 2);
        // the backend now reports the released process's exit: nothing is reported twice
        assertThat(events).containsExactly("registered " + first, "lost " + first + " HEARTBEAT_TIMEOUT");
    }

    @Test
    void releasedExecutorIsReportedLostAndCannotRegisterLate() throws Exception {
        manager.requestTotalExecutors(2);
        await("launches", () -> backend.launched.size() == 2);
        var a = new ExecutorId("app-m-exec-1-1");
        var b = new ExecutorId("app-m-exec-1-2");
        register(a);
        await("running", () -> manager.runningExecutors().size() == 1);

        manager.requestTotalExecutors(0);
        assertThat(backend.released).containsExactlyInAnyOrder(a, b);
        assertThat(events).containsExactly("registered " + a, "lost " + a + " RELEASED_BY_DRIVER");
        assertThat(register(b)).isNotInstanceOf(Registered.class);
        assertThat(manager.runningExecutors()).isEmpty();
    }

    @Test
    void deregisteringTellsTheBackendTheFinalStatusAndNoExecutorIsReplacedAfterwards() throws Exception {
        manager.requestTotalExecutors(1);
        var first = new ExecutorId("app-m-exec-1-1");
        await("launch", () -> backend.launched.size() == 1);
        register(first);
        await("running", () -> manager.runningExecutors().equals(List.of(first)));

        manager.deregister(FinalStatus.FAILED, "the job failed");
        assertThat(backend.deregistered).containsExactly("FAILED: the job failed");
        // the application is over: a larger target launches nothing (requestTotalExecutors acts at once, on the main thread)
        manager.requestTotalExecutors(2);
        assertThat(backend.launched).hasSize(1);
    }

    @Test
    void aBackendWhoseStartWaitsForItsClusterManagerLongerThanAnAskStillStarts() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        var slow = new FakeBackend() {
            @Override
            public void start(ExecutorEventHandler events, Executor mainThread, Executor io) {
                try {
                    release.await(); // YARN client mode: until the launcher application connected back
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        var conf = new SluiceConf(false).set(SluiceConf.APP_ID, "app-s").set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofMillis(200))
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofMinutes(2));
        try (var slowDriver = new DriverEndpoints(conf)) {
            var slowManager = new ExecutorManager(conf, slowDriver, slow, new ExecutorSpec(1, 256, Map.of()), clock,
                    new ExecutorRegistry.Listener() {
                        @Override
                        public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                        }

                        @Override
                        public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                        }
                    }, id -> true, msg -> { });
            var starting = CompletableFuture.runAsync(slowManager::start);
            Thread.sleep(1_000); // five ask timeouts: the start is still waiting, not failed
            assertThat(starting).isNotDone();
            release.countDown();
            starting.get(WAIT_S, TimeUnit.SECONDS);
            slowManager.requestTotalExecutors(1);
            assertThat(slow.launched).hasSize(1);
            slowManager.stop();
        }
    }
}
