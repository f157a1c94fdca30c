package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.receiver.ReceiverMessages;
import io.sluice.receiver.ReceiverMessages.BlockData;
import io.sluice.receiver.ReceiverMessages.GetBlock;
import io.sluice.receiver.ReceiverMessages.PutBlock;
import io.sluice.receiver.ReceiverMessages.RemoveBlocks;
import io.sluice.rpc.TransportContext;
import io.sluice.serde.KryoSerializer;
import io.sluice.storage.BlockStore;
import io.sluice.storage.StorageLevel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two executors' {@link ReceiverService}s in this JVM, each behind its own transport (the block stream served as
 * {@link TaskService} serves it): blocks are copied, served, streamed and removed between them.
 */
class ReceiverServiceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SluiceConf conf;
    private KryoSerializer serializer;
    private final List<TransportContext> transports = new ArrayList<>();
    private final List<ReceiverService> services = new ArrayList<>();

    private record Node(BlockStore store, ReceiverService service, String location) {
    }

    @BeforeEach
    void setUp() {
        conf = new SluiceConf(false).set(SluiceConf.RPC_IO_THREADS, 1).set(SluiceConf.RPC_DISPATCHER_THREADS, 2);
        serializer = new KryoSerializer(conf);
    }

    @AfterEach
    void tearDown() {
        services.forEach(ReceiverService::close);
        transports.forEach(TransportContext::close);
    }

    private Node node(String id) {
        return node(id, null);
    }

    /** @param driver the driver's address; null: this node's own (no receiver runs) */
    private Node node(String id, InetSocketAddress driver) {
        var transport = new TransportContext(conf);
        transports.add(transport);
        InetSocketAddress address = transport.startServer("127.0.0.1", 0).address();
        var store = new BlockStore();
        var service = new ReceiverService(id, store, serializer, transport.clientFactory(),
                driver == null ? address : driver, TIMEOUT);
        services.add(service);
        transport.dispatcher().registerEndpoint(ReceiverMessages.RECEIVERS_ENDPOINT, service);
        transport.dispatcher().setStreamProvider(streamId ->
                service.openBlockStream(streamId.substring(ReceiverService.BLOCK_STREAM_PREFIX.length())));
        return new Node(store, service, "127.0.0.1:" + address.getPort());
    }

    private static int unusedPort() throws Exception {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBlockIsStreamedFromTheFirstLocationHoldingItSkippingDeadAndEmptyOnes() throws Exception {
        Node a = node("exec-a");
        Node b = node("exec-b");
        Node c = node("exec-c");
        List<Integer> records = IntStream.range(0, 50_000).boxed().toList();
        a.store().put("input-0-1", records, StorageLevel.MEMORY_ONLY_SER);

        List<?> read = c.service().fetchBlock("input-0-1",
                List.of("127.0.0.1:" + unusedPort(), b.location(), a.location()));

        assertThat(read).isEqualTo(records);
        assertThat(c.service().fetchBlock("input-0-2", List.of(a.location(), b.location()))).isNull();
        assertThatThrownBy(() -> a.service().openBlockStream("input-0-2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exec-a does not hold block input-0-2");
    }

    @Test
    void aCopyIsKeptServedAndRemoved() throws Exception {
        Node a = node("exec-a");
        Node b = node("exec-b");
        var client = transports.get(1).clientFactory().client(new InetSocketAddress("127.0.0.1",
                Integer.parseInt(a.location().substring(a.location().indexOf(':') + 1))));

        Object stored = client.ask(ReceiverMessages.RECEIVERS_ENDPOINT,
                new PutBlock("input-1-5", serializer.serialize(new ArrayList<>(List.of("x", "y")))), TIMEOUT)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(stored).isEqualTo(Boolean.TRUE);
        assertThat(a.store().<String>get("input-1-5")).containsExactly("x", "y");

        BlockData data = client.<BlockData>ask(ReceiverMessages.RECEIVERS_ENDPOINT, new GetBlock("input-1-5"), TIMEOUT)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(serializer.<List<String>>deserialize(data.data())).containsExactly("x", "y");
        assertThat(b.service().fetchBlock("input-1-5", List.of(a.location()))).isEqualTo(List.of("x", "y"));

        client.ask(ReceiverMessages.RECEIVERS_ENDPOINT, new RemoveBlocks(new String[] {"input-1-5"}), TIMEOUT)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(a.store().contains("input-1-5")).isFalse();
        BlockData gone = client.<BlockData>ask(ReceiverMessages.RECEIVERS_ENDPOINT, new GetBlock("input-1-5"), TIMEOUT)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(gone.data()).isNull();
    }

    /** Stores one block with {@code store(List)} and remembers, in this JVM, how that ended. */
    static final class OneBlockReceiver extends io.sluice.receiver.Receiver<String> {
        static final java.util.concurrent.CompletableFuture<Throwable> OUTCOME = new java.util.concurrent.CompletableFuture<>();

        OneBlockReceiver() {
            super(StorageLevel.MEMORY_ONLY_SER_2);
        }

        @Override
        public void onStart() {
            var t = new Thread(() -> {
                try {
                    store(List.of("a", "b"));
                    OUTCOME.complete(null);
                } catch (RuntimeException e) {
                    OUTCOME.complete(e);
                }
            }, "test-one-block-receiver");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void onStop() {
        }
    }

    @Test
    void aBlockTheDriverCannotBeToldOfFailsTheStoreAndIsDroppedEverywhere() throws Exception {
        int deadDriver = unusedPort();
        Node a = node("exec-a", new InetSocketAddress("127.0.0.1", deadDriver));
        var start = new ReceiverMessages.StartReceiver(7, serializer.serialize(new OneBlockReceiver()), a.location(),
                200, 0, 60_000, 60_000);
        assertThat(a.service().receive(null, start)).isEqualTo(Boolean.TRUE);

        Throwable failure = OneBlockReceiver.OUTCOME.get(30, TimeUnit.SECONDS);
        assertThat(failure).isNotNull().hasMessageContaining("could not report block input-7-")
                .hasMessageContaining("exec-a");
        assertThat(a.store().size()).as("the unreported block is not kept").isZero();
    }
}
