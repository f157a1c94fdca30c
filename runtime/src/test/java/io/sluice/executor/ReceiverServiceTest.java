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
        var store = new BlockStore(serializer, 64L << 20, tempDir.resolve(id));
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
                new PutBlock("input-1-5", serializer.serialize(new ArrayList<>(List.of("x", "y"))), 2, true), TIMEOUT)
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

    /** Stores one block of {@code records} with {@code MEMORY_AND_DISK_SER_2}, the receivers' default. */
    static final class BigBlockReceiver extends io.sluice.receiver.Receiver<String> {
        /** How each receiver's store ended (null: stored and reported), by name, in this JVM. */
        static final java.util.Map<String, java.util.concurrent.CompletableFuture<Throwable>> OUTCOMES =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final String key;
        private final int records;

        BigBlockReceiver(String key, int records) {
            super(StorageLevel.MEMORY_AND_DISK_SER_2);
            this.key = key;
            this.records = records;
        }

        static java.util.concurrent.CompletableFuture<Throwable> outcome(String key) {
            return OUTCOMES.computeIfAbsent(key, k -> new java.util.concurrent.CompletableFuture<>());
        }

        static List<String> records(int n) {
            return IntStream.range(0, n).mapToObj(i -> "record-" + i + "-of-a-block-larger-than-a-frame").toList();
        }

        @Override
        public void onStart() {
            var t = new Thread(() -> {
                try {
                    store(new ArrayList<>(records(records)));
                    outcome(key).complete(null);
                } catch (RuntimeException e) {
                    outcome(key).complete(e);
                }
            }, "test-big-block-receiver");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void onStop() {
        }
    }

    /**
     * A driver's tracker endpoint: answers {@link ReceiverMessages.GetPeers} with {@code peers} and hands each
     * {@link ReceiverMessages.AddBlock} to a real {@link io.sluice.receiver.ReceiverTracker} (its release guard).
     */
    private record FakeDriver(InetSocketAddress address, io.sluice.receiver.ReceiverTracker tracker) {
    }

    private FakeDriver driver(int streamId, List<String> peers) {
        var tracker = new io.sluice.receiver.ReceiverTracker(
                java.util.Map.of(streamId, new io.sluice.receiver.ControlledReceiver<String>()),
                new io.sluice.util.ManualClock(0),
                new io.sluice.receiver.ReceiverSupervisor.Settings(Duration.ofMillis(200), 0, Duration.ofMillis(10),
                        Duration.ofMillis(100)), new BlockStore(), e -> { });
        tracker.start();
        var transport = new TransportContext(conf);
        transports.add(transport);
        InetSocketAddress address = transport.startServer("127.0.0.1", 0).address();
        transport.dispatcher().registerEndpoint(ReceiverMessages.TRACKER_ENDPOINT, (ctx, message) -> {
            if (message instanceof ReceiverMessages.GetPeers) {
                return new ReceiverMessages.Peers(peers.toArray(String[]::new));
            }
            if (message instanceof ReceiverMessages.AddBlock add) {
                tracker.addBlock(new io.sluice.receiver.ReceivedBlockInfo(add.streamId(), add.blockId(), add.blockTimeMs(),
                        add.numRecords(), List.of(add.locations())));
                return Boolean.TRUE;
            }
            return Boolean.TRUE; // receiver events
        });
        return new FakeDriver(address, tracker);
    }

    /** An executor whose store keeps {@code memoryBytes} of serialized blocks in memory, the rest in {@code dir}. */
    private Node node(String id, InetSocketAddress driver, long memoryBytes, java.nio.file.Path dir) {
        var transport = new TransportContext(conf);
        transports.add(transport);
        InetSocketAddress address = transport.startServer("127.0.0.1", 0).address();
        var store = new BlockStore(serializer, memoryBytes, dir);
        var service = new ReceiverService(id, store, serializer, transport.clientFactory(), driver, TIMEOUT,
                d -> {
                    throw new IllegalStateException("no WAL here");
                }, conf.get(SluiceConf.RPC_MAX_FRAME_BYTES));
        services.add(service);
        transport.dispatcher().registerEndpoint(ReceiverMessages.RECEIVERS_ENDPOINT, service);
        transport.dispatcher().setStreamProvider(streamId ->
                service.openBlockStream(streamId.substring(ReceiverService.BLOCK_STREAM_PREFIX.length())));
        return new Node(store, service, "127.0.0.1:" + address.getPort());
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tempDir;

    @Test
    void aBlockLargerThanAFrameGetsTwoCopiesStreamedSpillsBeyondTheBudgetAndReadsBackIdentically() throws Exception {
        // frames of at most 256 KiB, streams in 64 KiB chunks; the block is ~1.2 MB serialized
        conf.set(SluiceConf.RPC_MAX_FRAME_BYTES, 256 * 1024).set(SluiceConf.RPC_STREAM_CHUNK_BYTES, 64 * 1024);
        serializer = new KryoSerializer(conf);
        int streamId = 3;
        int records = 25_000;
        var peers = new ArrayList<String>();
        FakeDriver driver = driver(streamId, peers);
        Node a = node("exec-a", driver.address(), 64 * 1024, tempDir.resolve("a"));
        Node b = node("exec-b", driver.address(), 64 * 1024, tempDir.resolve("b"));
        Node c = node("exec-c", driver.address(), 64L << 20, tempDir.resolve("c"));
        peers.add(b.location());

        var start = new ReceiverMessages.StartReceiver(streamId, serializer.serialize(new BigBlockReceiver("big", records)),
                a.location(), 200, 0, 60_000, 60_000);
        assertThat(a.service().receive(null, start)).isEqualTo(Boolean.TRUE);
        assertThat(BigBlockReceiver.outcome("big").get(30, TimeUnit.SECONDS)).isNull();

        // reported with two locations: the receiver's executor and the peer
        var blocks = driver.tracker().unallocatedBlocks(streamId);
        assertThat(blocks).hasSize(1);
        var block = blocks.get(0);
        assertThat(block.locations()).containsExactly(a.location(), b.location());
        String blockId = block.blockId();
        var expected = BigBlockReceiver.records(records);

        // both copies are beyond their stores' 64 KiB budget: on disk, read back transparently and identically
        var original = a.store().stored(blockId);
        var copy = b.store().stored(blockId);
        assertThat(original).isInstanceOf(BlockStore.OnDisk.class);
        assertThat(copy).isInstanceOf(BlockStore.OnDisk.class);
        long bytes = ((BlockStore.OnDisk) copy).bytes();
        assertThat(bytes).as("larger than a frame").isGreaterThan(256 * 1024);
        assertThat(java.nio.file.Files.readAllBytes(((BlockStore.OnDisk) copy).file()))
                .isEqualTo(java.nio.file.Files.readAllBytes(((BlockStore.OnDisk) original).file()));
        assertThat(b.store().<String>get(blockId)).isEqualTo(expected);
        assertThat(a.store().memoryUsed()).isZero();
        // a task elsewhere reads it from the peer alone (streamed from the file)
        assertThat(c.service().fetchBlock(blockId, List.of(b.location()))).isEqualTo(expected);

        // the release guard: with two copies neither executor holds the only one
        assertThat(driver.tracker().holdsOnlyCopy(a.location())).isFalse();
        assertThat(driver.tracker().holdsOnlyCopy(b.location())).isFalse();
        driver.tracker().stop(false);
    }

    @Test
    void withoutAPeerTheBlockHasOneCopyAndTheReleaseGuardKeepsItsExecutor() throws Exception {
        int streamId = 4;
        FakeDriver driver = driver(streamId, List.of());
        Node a = node("exec-a", driver.address(), 64L << 20, tempDir.resolve("a"));
        var start = new ReceiverMessages.StartReceiver(streamId, serializer.serialize(new BigBlockReceiver("small", 10)),
                a.location(), 200, 0, 60_000, 60_000);
        assertThat(a.service().receive(null, start)).isEqualTo(Boolean.TRUE);
        assertThat(BigBlockReceiver.outcome("small").get(30, TimeUnit.SECONDS)).isNull();

        var blocks = driver.tracker().unallocatedBlocks(streamId);
        assertThat(blocks).singleElement().satisfies(b -> assertThat(b.locations()).containsExactly(a.location()));
        assertThat(a.store().stored(blocks.get(0).blockId())).as("serialized within the budget")
                .isInstanceOf(BlockStore.InMemoryBytes.class);
        assertThat(driver.tracker().holdsOnlyCopy(a.location())).isTrue();
        driver.tracker().stop(false);
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
