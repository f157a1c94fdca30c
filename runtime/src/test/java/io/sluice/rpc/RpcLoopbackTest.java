package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two transports in one JVM, talking over 127.0.0.1 the way a driver and an executor do: "server" hosts the
 * endpoints, "client" connects to it.
 */
class RpcLoopbackTest {
    private static final long WAIT_S = 10;

    private TransportContext serverSide;
    private TransportContext clientSide;
    private RpcServer server;

    static SluiceConf conf() {
        return new SluiceConf(false)
                .set(SluiceConf.RPC_IO_THREADS, 2)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RPC_CONNECT_TIMEOUT, Duration.ofSeconds(5))
                .set(SluiceConf.RPC_ASK_TIMEOUT, Duration.ofSeconds(WAIT_S));
    }

    @BeforeEach
    void start() {
        serverSide = new TransportContext(conf());
        clientSide = new TransportContext(conf());
        server = serverSide.startServer("127.0.0.1", 0);
        server.registerEndpoint("echo", (ctx, message) -> "echo:" + message);
    }

    @AfterEach
    void stop() {
        clientSide.close();
        serverSide.close();
    }

    private RpcClient connect() {
        return clientSide.clientFactory().client(server.address());
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT_S, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the future did not complete within " + WAIT_S + " s", e);
        }
        throw new AssertionError("expected the future to fail, but it completed with " + f.join());
    }

    @Test
    void askGetsTheEndpointsReply() throws Exception {
        RpcClient client = connect();
        CompletableFuture<String> reply = client.ask("echo", "ping");
        assertThat(reply.get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:ping");
        // records and collections travel through Kryo unchanged
        server.registerEndpoint("sum", (ctx, message) -> ((List<?>) message).stream().mapToInt(o -> (Integer) o).sum());
        assertThat(client.<Integer>ask("sum", List.of(1, 2, 3, 4)).get(WAIT_S, TimeUnit.SECONDS)).isEqualTo(10);
    }

    @Test
    void remoteExceptionSurfacesWithItsClassAndMessage() throws Exception {
        server.registerEndpoint("broken", (ctx, message) -> {
            throw new IllegalStateException("partition " + message + " is gone");
        });
        server.registerEndpoint("broken-later", (ctx, message) ->
                CompletableFuture.failedFuture(new java.io.FileNotFoundException("/data/block_" + message)));
        RpcClient client = connect();

        Throwable thrown = failureOf(client.ask("broken", 42));
        assertThat(thrown).isInstanceOf(RemoteRpcException.class);
        var remote = (RemoteRpcException) thrown;
        assertThat(remote.remoteClassName()).isEqualTo("java.lang.IllegalStateException");
        assertThat(remote.remoteMessage()).isEqualTo("partition 42 is gone");
        assertThat(remote.getMessage()).contains("java.lang.IllegalStateException: partition 42 is gone")
                .contains(server.address().getPort() + "");

        var async = (RemoteRpcException) failureOf(client.ask("broken-later", 7));
        assertThat(async.remoteClassName()).isEqualTo("java.io.FileNotFoundException");
        assertThat(async.remoteMessage()).isEqualTo("/data/block_7");
    }

    @Test
    void askToAnUnknownEndpointNamesItAndTheRegisteredOnes() throws Exception {
        var remote = (RemoteRpcException) failureOf(connect().ask("nobody", "hi"));
        assertThat(remote.remoteClassName()).isEqualTo(UnknownEndpointException.class.getName());
        assertThat(remote.remoteMessage()).contains("no RPC endpoint named 'nobody'").contains("[echo]");
    }

    @Test
    void askWithoutReplyTimesOutNamingEndpointPeerAndTimeout() throws Exception {
        var received = new CountDownLatch(1);
        server.registerEndpoint("silent", (ctx, message) -> {
            received.countDown();
            return new CompletableFuture<>(); // never replies
        });
        RpcClient client = connect();
        Throwable thrown = failureOf(client.ask("silent", "anyone?", Duration.ofMillis(200)));
        assertThat(received.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(thrown).isInstanceOf(RpcTimeoutException.class)
                .hasMessageContaining("endpoint 'silent'")
                .hasMessageContaining(client.remoteAddress().toString())
                .hasMessageContaining("within 200 ms");
        // the connection stays usable
        assertThat(client.<String>ask("echo", "still there").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:still there");
    }

    @Test
    void oneWayMessagesArriveInOrder() throws Exception {
        var received = new LinkedBlockingQueue<Object>();
        server.registerEndpoint("sink", new RpcEndpoint() {
            @Override
            public Object receive(RpcCallContext ctx, Object message) {
                throw new AssertionError("one-way messages must not arrive as asks");
            }

            @Override
            public void receiveOneWay(RpcCallContext ctx, Object message) {
                received.add(message);
            }
        });
        RpcClient client = connect();
        for (int i = 0; i < 100; i++) {
            client.send("sink", i);
        }
        client.send("sink", "last").get(WAIT_S, TimeUnit.SECONDS);
        var got = new ArrayList<Object>();
        for (int i = 0; i <= 100; i++) {
            Object m = received.poll(WAIT_S, TimeUnit.SECONDS);
            assertThat(m).as("message %d", i).isNotNull();
            got.add(m);
        }
        var expected = new ArrayList<Object>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        expected.add("last");
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void eitherSideAsksOverTheSameConnection() throws Exception {
        // the client process hosts an endpoint too, but no server: the server reaches it over the client's connection
        clientSide.dispatcher().registerEndpoint("executor", (ctx, message) -> "executor saw " + message);
        server.registerEndpoint("driver", (ctx, message) ->
                ctx.connection().<String>ask("executor", "launch " + message)
                        .thenApply(answer -> "driver got '" + answer + "' from " + ctx.peer()));
        RpcClient client = connect();
        String reply = client.<String>ask("driver", "task-1").get(WAIT_S, TimeUnit.SECONDS);
        assertThat(reply).isEqualTo("driver got 'executor saw launch task-1' from " + client.localAddress());
    }

    @Test
    void closingTheServerFailsPendingAsksWithConnectionClosed() throws Exception {
        var received = new CountDownLatch(1);
        server.registerEndpoint("hang", (ctx, message) -> {
            received.countDown();
            return new CompletableFuture<>();
        });
        RpcClient client = connect();
        CompletableFuture<Object> pending = client.ask("hang", "x", Duration.ofMinutes(5));
        assertThat(received.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        server.close();
        Throwable thrown = failureOf(pending);
        assertThat(thrown).isInstanceOf(ConnectionClosedException.class);
        assertThat(((ConnectionClosedException) thrown).peer()).isEqualTo(server.address());
        // and a closed client fails new asks at once, with the same exception
        client.closeFuture().get(WAIT_S, TimeUnit.SECONDS);
        assertThat(failureOf(client.ask("echo", "late"))).isInstanceOf(ConnectionClosedException.class);
        server.close(); // idempotent
    }

    @Test
    void factoryReusesTheConnectionAndReconnectsAfterTheServerRestarts() throws Exception {
        RpcClient first = connect();
        assertThat(connect()).isSameAs(first);
        assertThat(first.<String>ask("echo", "before").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:before");

        InetSocketAddress address = server.address();
        server.close();
        first.closeFuture().get(WAIT_S, TimeUnit.SECONDS);
        RpcServer restarted = serverSide.startServer("127.0.0.1", address.getPort());
        assertThat(restarted.address()).isEqualTo(address);

        RpcClient second = clientSide.clientFactory().client(address);
        assertThat(second).isNotSameAs(first);
        assertThat(second.<String>ask("echo", "after").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:after");
    }

    @Test
    void callersConnectingAtOnceShareOneConnection() throws Exception {
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            var start = new CountDownLatch(1);
            var clients = new ArrayList<Future<RpcClient>>();
            for (int i = 0; i < callers; i++) {
                clients.add(pool.submit(() -> {
                    assertThat(start.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
                    return clientSide.clientFactory().client(server.address());
                }));
            }
            start.countDown();
            RpcClient first = clients.get(0).get(WAIT_S, TimeUnit.SECONDS);
            for (Future<RpcClient> c : clients) {
                assertThat(c.get(WAIT_S, TimeUnit.SECONDS)).isSameAs(first);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void serverDropsAPeerThatDoesNotSpeakTheProtocol() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout((int) TimeUnit.SECONDS.toMillis(WAIT_S));
            // a well-formed length, then an HTTP request where the magic byte should be
            byte[] junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            var out = new java.io.DataOutputStream(socket.getOutputStream());
            out.writeInt(junk.length);
            out.write(junk);
            out.flush();
            assertThat(socket.getInputStream().read()).as("the server closes the connection").isEqualTo(-1);
        }
        // the server itself is unaffected
        assertThat(connect().<String>ask("echo", "fine").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:fine");
    }

    @Test
    void connectingToANonListeningPortFailsWithTheAddress() {
        InetSocketAddress address = server.address();
        server.close();
        assertThatThrownBy(() -> clientSide.clientFactory().client(address))
                .isInstanceOf(RpcException.class)
                .hasMessageContaining("cannot connect to " + address);
    }

    @Test
    void concurrentAsksFromSeveralThreadsEachGetTheirOwnReply() throws Exception {
        server.registerEndpoint("square", (ctx, message) -> (long) (Integer) message * (Integer) message);
        RpcClient client = connect();
        int threads = 6;
        int asksPerThread = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            var start = new CountDownLatch(1);
            var results = new ArrayList<Future<List<String>>>();
            for (int t = 0; t < threads; t++) {
                int base = t * asksPerThread;
                results.add(pool.submit(() -> {
                    assertThat(start.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
                    var futures = new ArrayList<CompletableFuture<Long>>();
                    for (int i = 0; i < asksPerThread; i++) {
                        futures.add(client.ask("square", base + i));
                    }
                    var wrong = new ArrayList<String>();
                    for (int i = 0; i < asksPerThread; i++) {
                        long n = base + i;
                        long got = futures.get(i).get(WAIT_S, TimeUnit.SECONDS);
                        if (got != n * n) {
                            wrong.add(n + "² = " + got);
                        }
                    }
                    return wrong;
                }));
            }
            start.countDown();
            for (Future<List<String>> r : results) {
                assertThat(r.get(WAIT_S * 2, TimeUnit.SECONDS)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(WAIT_S, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void messageAboveTheFrameLimitFailsTheAskWithoutDroppingTheConnection() throws Exception {
        RpcClient client = connect();
        int limit = clientSide.settings().maxFrameBytes();
        Throwable thrown = failureOf(client.ask("echo", new byte[limit]));
        assertThat(thrown).isInstanceOf(RpcException.class)
                .hasMessageContaining("ask to endpoint 'echo'")
                .hasMessageContaining("limit of " + limit + " bytes");
        assertThat(client.<String>ask("echo", "small").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:small");
    }

    @Test
    void idleConnectionWithAnOutstandingAskIsClosedAsDead() throws Exception {
        clientSide.close();
        clientSide = new TransportContext(conf().set(SluiceConf.RPC_IDLE_TIMEOUT, Duration.ofMillis(300)));
        var received = new CountDownLatch(1);
        server.registerEndpoint("hang", (ctx, message) -> {
            received.countDown();
            return new CompletableFuture<>();
        });
        RpcClient client = connect();
        CompletableFuture<Object> pending = client.ask("hang", "x", Duration.ofMinutes(5));
        assertThat(received.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(failureOf(pending)).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void transportCloseIsIdempotentAndStopsItsThreads() throws Exception {
        RpcClient client = connect();
        assertThat(client.<String>ask("echo", "x").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("echo:x");
        clientSide.close();
        serverSide.close();
        clientSide.close();
        // a client kept past its transport fails its futures instead of throwing or hanging
        assertThat(failureOf(client.ask("echo", "after close"))).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> clientSide.clientFactory().client(server.address()))
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> serverSide.startServer("127.0.0.1", 0)).isInstanceOf(IllegalStateException.class);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("sluice-rpc-")) {
                t.join(TimeUnit.SECONDS.toMillis(WAIT_S)); // a terminated pool's thread may still be unwinding
                assertThat(t.isAlive()).as(t.getName()).isFalse();
            }
        }
    }
}
