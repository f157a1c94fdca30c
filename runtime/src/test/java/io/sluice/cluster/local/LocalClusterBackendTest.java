package io.sluice.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ExecutorEventHandler;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverEndpoints;
import io.sluice.executor.ExecutorLaunchSettings;
import io.sluice.executor.ExecutorMessages;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.util.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend's mechanics with a recording handler (no allocator). */
class LocalClusterBackendTest {
    private static final long WAIT_S = 120;

    @TempDir
    Path tmp;

    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ExecutorService mainThread = Executors.newSingleThreadExecutor();
    private final ExecutorService io = Executors.newSingleThreadExecutor();
    private LocalClusterBackend backend;

    private final ExecutorEventHandler handler = new ExecutorEventHandler() {
        @Override
        public void executorLaunched(ExecutorId id, String host) {
            events.add("launched " + id + " " + host);
        }

        @Override
        public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
            events.add("lost " + id + " " + reason + " " + diagnostics);
        }

        @Override
        public void executorsRecovered(List<ExecutorId> ids) {
            events.add("recovered " + ids);
        }

        @Override
        public void fatalError(Throwable error) {
            events.add("fatal " + error);
        }
    };

    @AfterEach
    void tearDown() throws Exception {
        if (backend != null) {
            backend.stop();
        }
        mainThread.shutdownNow();
        io.shutdownNow();
        assertThat(mainThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(io.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private LocalClusterBackend backend(Path workDir) {
        backend = new LocalClusterBackend(new LocalClusterUrl(1, 1, 128), "app-3", 2, workDir, Duration.ofSeconds(10), new SluiceConf(false));
        backend.start(handler, mainThread, io);
        return backend;
    }

    private static ExecutorSpec spec(String driverUrl) {
        return new ExecutorSpec(1, 128, Map.of(ExecutorLaunchSettings.DRIVER_URL, driverUrl, ExecutorLaunchSettings.APP_ID, "app-3"));
    }

    @Test
    void unwritableWorkDirIsALaunchFailureNamingTheExecutor() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        ExecutorId id = backend(file).launchExecutor(spec("127.0.0.1:1")).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(id.value()).isEqualTo("app-3-exec-2-1");
        String event = events.poll(WAIT_S, TimeUnit.SECONDS);
        assertThat(event).startsWith("lost app-3-exec-2-1 LAUNCH_FAILED").contains("cannot start the JVM of executor app-3-exec-2-1");
    }

    @Test
    void specWithoutTheDriversAddressIsRefused() {
        var f = backend(tmp).launchExecutor(new ExecutorSpec(1, 128, Map.of()));
        assertThat(f).isCompletedExceptionally();
        try {
            f.get();
        } catch (ExecutionException | InterruptedException e) {
            assertThat(e.getCause()).hasMessageContaining(ExecutorLaunchSettings.DRIVER_URL);
        }
        assertThat(events).isEmpty();
    }

    @Test
    void launchingAfterStopFails() {
        backend(tmp).stop();
        assertThat(backend.launchExecutor(spec("127.0.0.1:1"))).isCompletedExceptionally();
    }

    @Test
    void releasedExecutorShutsDownCleanlyOnSigterm() throws Exception {
        var conf = new SluiceConf(false).set(SluiceConf.APP_ID, "app-3").set(SluiceConf.RPC_IO_THREADS, 1);
        try (var driver = new DriverEndpoints(conf)) {
            var registry = new ExecutorRegistry("app-3", conf, new ManualClock(), driver.clients(), new ExecutorRegistry.Listener() {
                @Override
                public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                    events.add("registered " + executor.id());
                }

                @Override
                public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                    events.add("registry lost " + id);
                }
            });
            driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);
            // as ExecutorManager does: the id is expected as the launch is accepted, before the JVM starts
            ExecutorId id = backend(tmp).launchExecutor(spec(driver.url())).thenApply(launched -> {
                registry.expect(launched);
                return launched;
            }).get(WAIT_S, TimeUnit.SECONDS);
            assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("launched " + id + " 127.0.0.1");
            assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("registered " + id);

            backend.releaseExecutor(id);
            String lost = events.poll(WAIT_S, TimeUnit.SECONDS);
            assertThat(lost).startsWith("lost " + id + " RELEASED_BY_DRIVER").contains("exit code 143");
            // its shutdown hook ran: it logged why it stopped, after closing its server
            String stdout = Files.readString(tmp.resolve(id.value()).resolve("stdout"));
            assertThat(stdout).contains("exiting: the JVM is shutting down (SIGTERM)").contains("RPC server on")
                    .contains("stopped with exit code 0");
            backend.releaseExecutor(id); // already gone: ignored
            assertThat(events).isEmpty();
        }
    }

    @Test
    void executorThatExitsByItselfIsReportedWithItsExitCodeAndStderr() throws Exception {
        var conf = new SluiceConf(false).set(SluiceConf.APP_ID, "app-3").set(SluiceConf.RPC_IO_THREADS, 1);
        try (var driver = new DriverEndpoints(conf)) {
            // a registry that never expected the executor: it rejects it, and the executor exits with code 10
            var registry = new ExecutorRegistry("app-3", conf, new ManualClock(), driver.clients(), new ExecutorRegistry.Listener() {
                @Override
                public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                    events.add("registered " + executor.id());
                }

                @Override
                public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                    events.add("registry lost " + id);
                }
            });
            driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);
            ExecutorId id = backend(tmp).launchExecutor(spec(driver.url())).get(WAIT_S, TimeUnit.SECONDS);

            assertThat(events.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("launched " + id + " 127.0.0.1");
            String lost = events.poll(WAIT_S, TimeUnit.SECONDS);
            assertThat(lost).startsWith("lost " + id + " EXITED")
                    .contains("exit code 10: the driver rejected its registration")
                    .contains(tmp.resolve(id.value()).resolve("stderr").toString())
                    .contains("did not launch it"); // the tail of its stderr
            assertThat(events).isEmpty();
        }
    }
}
