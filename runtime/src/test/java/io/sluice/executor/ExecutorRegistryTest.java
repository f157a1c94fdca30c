package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorMessages.ExecutorMetrics;
import io.sluice.executor.ExecutorMessages.Heartbeat;
import io.sluice.executor.ExecutorMessages.HeartbeatReply;
import io.sluice.executor.ExecutorMessages.RegisterExecutor;
import io.sluice.executor.ExecutorMessages.Registered;
import io.sluice.executor.ExecutorMessages.RegistrationRejected;
import io.sluice.executor.ExecutorMessages.RegistrationReply;
import io.sluice.executor.ExecutorMessages.StopExecutor;
import io.sluice.rpc.RpcServer;
import io.sluice.rpc.TransportContext;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExecutorRegistryTest {
    private static final long WAIT_S = 10;
    private static final ExecutorId E1 = new ExecutorId("app-1-exec-1-1");
    private static final ExecutorId E2 = new ExecutorId("app-1-exec-1-2");

    private final ManualClock clock = new ManualClock(1_000);
    private final List<String> events = new ArrayList<>();
    private TransportContext driverTransport;
    private ExecutorRegistry registry;

    static SluiceConf conf() {
        return new SluiceConf(false)
                .set(SluiceConf.APP_ID, "app-1")
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofSeconds(WAIT_S))
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofSeconds(1))
                .set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofSeconds(5));
    }

    @BeforeEach
    void setUp() {
        driverTransport = new TransportContext(conf());
        registry = new ExecutorRegistry("app-1", conf(), clock, driverTransport.clientFactory(), new ExecutorRegistry.Listener() {
            @Override
            public void executorRegistered(ExecutorRegistry.ExecutorInfo executor) {
                events.add("registered " + executor.id() + " " + executor.host() + ":" + executor.port());
            }

            @Override
            public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
                events.add("lost " + id + " " + reason + " " + diagnostics);
            }
        });
    }

    @AfterEach
    void tearDown() {
        driverTransport.close();
    }

    private static RegisterExecutor registration(ExecutorId id, int port) {
        return new RegisterExecutor(id, "app-1", "127.0.0.1", port, 2, 4242);
    }

    private static Heartbeat heartbeat(ExecutorId id, long seq) {
        return new Heartbeat(id, seq, ExecutorMetrics.ofThisJvm());
    }

    @Test
    void expectedExecutorRegistersAndGetsTheDriverConfiguration() {
        registry.expect(E1);
        RegistrationReply reply = registry.register(registration(E1, 5000));
        assertThat(reply).isInstanceOf(Registered.class);
        assertThat(((Registered) reply).driverConf()).containsEntry(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL.name(), "1000ms");
        assertThat(events).containsExactly("registered " + E1 + " 127.0.0.1:5000");
        assertThat(registry.executors()).extracting(ExecutorRegistry.ExecutorInfo::cores).containsExactly(2);
    }

    @Test
    void duplicateUnknownAndForeignRegistrationsAreRejectedWithAReason() {
        registry.expect(E1);
        registry.register(registration(E1, 5000));

        var duplicate = (RegistrationRejected) registry.register(registration(E1, 6000));
        assertThat(duplicate.reason()).contains(E1.value()).contains("already registered").contains("127.0.0.1:5000");

        var unknown = (RegistrationRejected) registry.register(registration(E2, 6000));
        assertThat(unknown.reason()).contains(E2.value()).contains("did not launch it");

        registry.expect(E2);
        var foreign = (RegistrationRejected) registry.register(new RegisterExecutor(E2, "app-0", "127.0.0.1", 6000, 1, 1));
        assertThat(foreign.reason()).contains("app-0").contains("app-1");

        assertThat(registry.executors()).extracting(ExecutorRegistry.ExecutorInfo::id).containsExactly(E1);
        assertThat(events).hasSize(1);
    }

    @Test
    void heartbeatsKeepAnExecutorAliveAndSilenceLosesItExactlyOnce() {
        registry.expect(E1);
        registry.expect(E2);
        registry.register(registration(E1, 5000));
        registry.register(registration(E2, 5001));

        for (int i = 1; i <= 3; i++) {
            clock.advance(4_000);
            assertThat(registry.heartbeat(heartbeat(E1, i)).known()).isTrue();
            assertThat(registry.runOnce(clock.currentTimeMillis())).as("after %d s", i * 4).isEqualTo(
                    i == 2 ? List.of(E2) : List.of());
            if (i == 2) {
                assertThat(events).last().asString().startsWith("lost " + E2 + " HEARTBEAT_TIMEOUT")
                        .contains("for 8000 ms").contains("sluice.executor.lostTimeout = 5000 ms");
            }
        }
        assertThat(events).filteredOn(e -> e.startsWith("lost")).hasSize(1); // not again at 12 s
        assertThat(registry.executors()).extracting(ExecutorRegistry.ExecutorInfo::id).containsExactly(E1);
        assertThat(registry.executors().get(0).lastMetrics().heapMaxBytes()).isPositive();

        // the lost executor is told it is unknown, and cannot come back under the same id
        assertThat(registry.heartbeat(heartbeat(E2, 4)).known()).isFalse();
        assertThat(registry.register(registration(E2, 5001))).isInstanceOf(RegistrationRejected.class);
    }

    @Test
    void exactlyAtTheTimeoutTheExecutorIsStillAlive() {
        registry.expect(E1);
        registry.register(registration(E1, 5000));
        assertThat(registry.runOnce(clock.currentTimeMillis() + 5_000)).isEmpty();
        assertThat(registry.runOnce(clock.currentTimeMillis() + 5_001)).containsExactly(E1);
    }

    @Test
    void removedExecutorIsForgottenWithoutNotification() {
        registry.expect(E1);
        registry.register(registration(E1, 5000));
        assertThat(registry.remove(E1)).isTrue();
        assertThat(registry.remove(E1)).isFalse();
        assertThat(registry.runOnce(clock.currentTimeMillis() + 60_000)).isEmpty();
        assertThat(registry.heartbeat(heartbeat(E1, 1)).known()).isFalse();
        assertThat(events).containsExactly("registered " + E1 + " 127.0.0.1:5000");
    }

    @Test
    void lostTimeoutMustExceedTheHeartbeatInterval() {
        var bad = conf().set(SluiceConf.EXECUTOR_LOST_TIMEOUT, Duration.ofSeconds(1));
        Assertions.assertThatThrownBy(() -> new ExecutorRegistry("app-1", bad, clock, driverTransport.clientFactory(), null))
                .hasMessageContaining("sluice.executor.lostTimeout").hasMessageContaining("sluice.executor.heartbeatInterval");
    }

    @Test
    void stopExecutorAsksTheExecutorsEndpointOverTheNetwork() throws Exception {
        try (var executorTransport = new TransportContext(conf())) {
            RpcServer server = executorTransport.startServer("127.0.0.1", 0);
            var received = new LinkedBlockingQueue<Object>();
            server.registerEndpoint(ExecutorMessages.EXECUTOR_ENDPOINT, (ctx, message) -> {
                received.add(message);
                return Boolean.TRUE;
            });
            registry.expect(E1);
            registry.register(registration(E1, server.address().getPort()));

            assertThat(registry.stopExecutor(E1, "scaling down").get(WAIT_S, TimeUnit.SECONDS)).isTrue();
            assertThat(received.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo(new StopExecutor("scaling down"));
            assertThat(registry.stopExecutor(E2, "unknown").get(WAIT_S, TimeUnit.SECONDS)).isFalse();
        }
    }

    @Test
    void executorThatExitsBeforeReplyingCountsAsStopped() throws Exception {
        try (var executorTransport = new TransportContext(conf())) {
            RpcServer server = executorTransport.startServer("127.0.0.1", 0);
            server.registerEndpoint(ExecutorMessages.EXECUTOR_ENDPOINT, (ctx, message) -> {
                ctx.connection().close(); // exits at once, the reply never leaves
                return new java.util.concurrent.CompletableFuture<>();
            });
            registry.expect(E1);
            registry.register(registration(E1, server.address().getPort()));
            assertThat(registry.stopExecutor(E1, "bye").get(WAIT_S, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void stoppingAnUnreachableExecutorFails() throws Exception {
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nobody listens there
        }
        registry.expect(E1);
        registry.register(registration(E1, port));
        var stop = registry.stopExecutor(E1, "bye");
        Assertions.assertThatThrownBy(() -> stop.get(WAIT_S, TimeUnit.SECONDS)).hasMessageContaining("cannot connect");
    }

    @Test
    void registrationAndHeartbeatTravelOverRpcEvenWhenKryoRequiresRegistration() throws Exception {
        var strict = conf().set(SluiceConf.KRYO_REGISTRATION_REQUIRED, true);
        try (var driverSide = new TransportContext(strict); var executorSide = new TransportContext(strict)) {
            RpcServer server = driverSide.startServer("127.0.0.1", 0);
            server.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);
            registry.expect(E1);
            var client = executorSide.clientFactory().client(server.address());
            RegistrationReply reply = client.<RegistrationReply>ask(ExecutorMessages.REGISTRY_ENDPOINT, registration(E1, 5000))
                    .get(WAIT_S, TimeUnit.SECONDS);
            assertThat(reply).isInstanceOf(Registered.class);
            HeartbeatReply hb = client.<HeartbeatReply>ask(ExecutorMessages.REGISTRY_ENDPOINT, heartbeat(E1, 1))
                    .get(WAIT_S, TimeUnit.SECONDS);
            assertThat(hb.known()).isTrue();
        }
    }
}
