package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.conf.SluiceConf;
import io.sluice.util.ManualClock;
import io.sluice.util.SystemClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An executor's life in this JVM against a real driver registry over loopback RPC. */
class ExecutorProcessTest {
    private static final long WAIT_S = 20;
    private static final ExecutorId ID = new ExecutorId("app-1-exec-1-1");

    private final ManualClock driverClock = new ManualClock(0);
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private DriverEndpoints driver;
    private ExecutorRegistry registry;

    static SluiceConf conf() {
        return new SluiceConf(false)
                .set(SluiceConf.APP_ID, "app-1")
                .set(SluiceConf.DRIVER_HOST, "127.0.0.1")
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RPC_CONNECT_TIMEOUT, Duration.ofSeconds(2))
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofSeconds(5))
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofMillis(50))
                .set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofSeconds(2))
                .set(SluiceConf.NETWORK_TIMEOUT, Duration.ofMillis(1500));
    }

    @BeforeEach
    void startDriver() {
        driver = new DriverEndpoints(conf());
        registry = new ExecutorRegistry("app-1", conf(), driverClock, driver.clients(), new ExecutorRegistry.Listener() {
            @Override
            public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                events.add("registered " + executor.id());
            }

            @Override
            public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                events.add("lost " + id);
            }
        });
        driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);
    }

    @AfterEach
    void stop() throws Exception {
        runner.shutdownNow();
        assertThat(runner.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
        driver.close();
    }

    private ExecutorProcess executor(String appId) {
        var settings = ExecutorLaunchSettings.fromEnvironment(ExecutorLaunchSettings.environment(driver.url(), appId, ID, 2));
        // the executor starts with defaults only; heartbeat interval and timeouts come from the driver
        return new ExecutorProcess(settings, new SluiceConf(false)
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 1)
                .set(SluiceConf.RPC_CONNECT_TIMEOUT, Duration.ofSeconds(1))
                .set(SluiceConf.NETWORK_TIMEOUT, Duration.ofMillis(1500)), new SystemClock());
    }

    private Future<ExecutorExitCode> run(ExecutorProcess p) {
        return runner.submit(p::run);
    }

    @Test
    void registersHeartbeatsWithTheDriversIntervalAndStopsWhenTold() throws Exception {
        registry.expect(ID);
        var process = executor("app-1");
        Future<ExecutorExitCode> exit = run(process);
        assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("registered " + ID);

        // at the driver's 50 ms interval (the default is 10 s) the metrics arrive quickly
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (registry.executors().get(0).lastMetrics() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        var info = registry.executors().get(0);
        assertThat(info.lastMetrics()).isNotNull();
        assertThat(info.lastMetrics().heapMaxBytes()).isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(info.cores()).isEqualTo(2);
        assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(info.address()).isEqualTo(process.advertisedAddress());

        assertThat(registry.stopExecutor(ID, "test").get(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.STOPPED);
    }

    @Test
    void servicesStartAfterRegistrationWithTheDriversSettingsServeTheDriverAndCloseAtTheEnd() throws Exception {
        registry.expect(ID);
        var started = new CompletableFuture<ExecutorServices.Context>();
        var closed = new CompletableFuture<Void>();
        var settings = ExecutorLaunchSettings.fromEnvironment(ExecutorLaunchSettings.environment(driver.url(), "app-1", ID, 2));
        var process = new ExecutorProcess(settings, new SluiceConf(false).set(SluiceConf.RPC_IO_THREADS, 1), new SystemClock(),
                new ExecutorServices() {
                    @Override
                    public void start(Context context) {
                        context.transport().dispatcher().registerEndpoint("tasks", (ctx, message) -> "ran " + message);
                        started.complete(context);
                    }

                    @Override
                    public void close() {
                        closed.complete(null);
                    }
                });
        Future<ExecutorExitCode> exit = run(process);
        var context = started.get(WAIT_S, TimeUnit.SECONDS);
        assertThat(context.id()).isEqualTo(ID);
        assertThat(context.cores()).isEqualTo(2);
        assertThat(context.conf().get(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL)).isEqualTo(Duration.ofMillis(50));
        assertThat(registry.isRegistered(ID)).isTrue();

        // the driver reaches the service at the address the executor registered with
        var executorAddress = registry.executors().get(0).address();
        String reply = driver.clients().client(executorAddress).<String>ask("tasks", "task-7").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(reply).isEqualTo("ran task-7");
        assertThat(closed).isNotDone();

        registry.stopExecutor(ID, "done").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.STOPPED);
        assertThat(closed).isDone();
    }

    @Test
    void servicesThatFailToStartEndTheExecutor() throws Exception {
        registry.expect(ID);
        var closed = new CompletableFuture<Void>();
        var settings = ExecutorLaunchSettings.fromEnvironment(ExecutorLaunchSettings.environment(driver.url(), "app-1", ID, 1));
        var process = new ExecutorProcess(settings, new SluiceConf(false).set(SluiceConf.RPC_IO_THREADS, 1), new SystemClock(),
                new ExecutorServices() {
                    @Override
                    public void start(Context context) {
                        throw new IllegalStateException("no scratch directory");
                    }

                    @Override
                    public void close() {
                        closed.complete(null);
                    }
                });
        assertThat(run(process).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.FAILED);
        assertThat(closed).isDone();
    }

    @Test
    void rejectedRegistrationEndsTheExecutor() throws Exception {
        registry.expect(ID);
        assertThat(run(executor("another-app")).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.REGISTRATION_REJECTED);
        assertThat(events).isEmpty();
    }

    @Test
    void executorDeclaredLostExitsAtItsNextHeartbeat() throws Exception {
        registry.expect(ID);
        Future<ExecutorExitCode> exit = run(executor("app-1"));
        assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("registered " + ID);
        driverClock.advance(10_000); // the driver's clock jumps past the lost timeout
        registry.runOnce(driverClock.currentTimeMillis());
        assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("lost " + ID);
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.FORGOTTEN_BY_DRIVER);
    }

    @Test
    void executorExitsWhenTheDriverStaysUnreachable() throws Exception {
        registry.expect(ID);
        Future<ExecutorExitCode> exit = run(executor("app-1"));
        assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("registered " + ID);
        driver.close(); // the driver dies: connections refused from now on
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.DRIVER_UNREACHABLE);
    }

    @Test
    void executorThatNeverReachesADriverGivesUpAfterTheNetworkTimeout() throws Exception {
        String url = driver.url();
        driver.close();
        var settings = ExecutorLaunchSettings.fromEnvironment(ExecutorLaunchSettings.environment(url, "app-1", ID, 1));
        var process = new ExecutorProcess(settings, new SluiceConf(false)
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_CONNECT_TIMEOUT, Duration.ofMillis(500))
                .set(SluiceConf.NETWORK_TIMEOUT, Duration.ofMillis(800)), new SystemClock());
        assertThat(run(process).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.DRIVER_UNREACHABLE);
    }

    @Test
    void terminateDuringRegistrationDoesNotWaitForTheDriversAnswer() throws Exception {
        var asked = new CompletableFuture<Object>();
        driver.transport().dispatcher().unregisterEndpoint(ExecutorMessages.REGISTRY_ENDPOINT);
        driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, (ctx, message) -> {
            asked.complete(message);
            return new CompletableFuture<>(); // a driver that never answers
        });
        var settings = ExecutorLaunchSettings.fromEnvironment(ExecutorLaunchSettings.environment(driver.url(), "app-1", ID, 1));
        // the ask would wait 5 min and the registration 10 min: longer than this test waits
        var process = new ExecutorProcess(settings, new SluiceConf(false)
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofMinutes(5))
                .set(SluiceConf.NETWORK_TIMEOUT, Duration.ofMinutes(10)), new SystemClock());
        Future<ExecutorExitCode> exit = run(process);
        assertThat(asked.get(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(ExecutorMessages.RegisterExecutor.class);
        process.terminate("SIGTERM");
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.STOPPED);
    }

    @Test
    void terminateEndsARunningExecutorCleanly() throws Exception {
        registry.expect(ID);
        var process = executor("app-1");
        Future<ExecutorExitCode> exit = run(process);
        assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("registered " + ID);
        process.terminate("SIGTERM");
        assertThat(process.awaitStopped(Duration.ofSeconds(WAIT_S))).isTrue();
        assertThat(exit.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(ExecutorExitCode.STOPPED);
        assertThat(process.exitDecision()).isCompletedWithValue(ExecutorExitCode.STOPPED);
    }
}
