package io.sluice.executor;

import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverMessages;
import io.sluice.receiver.ReceiverMessages.AddBlock;
import io.sluice.receiver.ReceiverMessages.BlockData;
import io.sluice.receiver.ReceiverMessages.CopyBlock;
import io.sluice.receiver.ReceiverMessages.GetBlock;
import io.sluice.receiver.ReceiverMessages.GetPeers;
import io.sluice.receiver.ReceiverMessages.Peers;
import io.sluice.receiver.ReceiverMessages.PutBlock;
import io.sluice.receiver.ReceiverMessages.RemoveBlocks;
import io.sluice.receiver.ReceiverMessages.StartReceiver;
import io.sluice.receiver.ReceiverMessages.StopReceiver;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.conf.SluiceConf;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.serde.Serializer;
import io.sluice.storage.BlockStore;
import io.sluice.storage.StorageLevel;
import io.sluice.util.NamedThreadFactory;
import io.sluice.util.SystemClock;
import io.sluice.wal.WalBlockReporter;
import io.sluice.wal.WriteAheadLog;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The executor's {@value ReceiverMessages#RECEIVERS_ENDPOINT} endpoint: runs the receivers the driver places here and
 * serves and keeps received blocks.
 *
 * <ul>
 *   <li>{@link StartReceiver}: the receiver is deserialized and run by a {@link ReceiverSupervisor} whose blocks go
 *   into this executor's block store; with a replicated storage level each block is first copied to a peer (asked of
 *   the driver with {@link GetPeers}, sent with {@link PutBlock}, or streamed after a {@link CopyBlock} when it is
 *   larger than a frame), then reported to the driver's
 *   {@value ReceiverMessages#TRACKER_ENDPOINT} endpoint with {@link AddBlock}, waiting for the driver's reply (at
 *   most the ask timeout): a block counts only once the driver holds it. A report that fails drops the block's
 *   copies and is thrown back to the storing thread (the receiver's, for {@code store(List)}).</li>
 *   <li>The supervisor's receiver events (started, error, stopped) go to the driver's listener bus as
 *   {@link ReceiverMessages.ReceiverEvent}s.</li>
 *   <li>{@link StopReceiver}: stops the supervisor (on a separate thread, so the endpoint stays free for the blocks
 *   the stop still reports); the reply completes once it stopped.</li>
 *   <li>{@link PutBlock}, {@link CopyBlock}, {@link GetBlock}, {@link RemoveBlocks}: keep, serve and drop blocks of this store; tasks
 *   elsewhere read blocks from {@link #openBlockStream} streams ({@link #fetchBlock}).</li>
 * </ul>
 *
 * <p>Threading: messages arrive one at a time on a dispatcher thread; supervisors run on their own threads.
 * {@link #close} stops every supervisor without waiting for their last blocks to be reported.
 */
public final class ReceiverService implements RpcEndpoint, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ReceiverService.class);
    /** Streams named {@code block/<blockId>} serve received blocks. */
    public static final String BLOCK_STREAM_PREFIX = "block/";
    /** Room left in a frame for the header and the {@link PutBlock} around the block's bytes. */
    private static final int FRAME_HEADROOM = 64 * 1024;

    private final String executorId;
    private final BlockStore blockStore;
    private final Serializer serializer;
    private final RpcClientFactory clients;
    private final InetSocketAddress driver;
    private final Duration askTimeout;
    /** Copies of at most this many serialized bytes travel in one {@link PutBlock}; larger ones are streamed. */
    private final int maxInlineBytes;
    private final Map<Integer, ReceiverSupervisor<?>> supervisors = new ConcurrentHashMap<>();
    private final ExecutorService stopper;
    private final Function<String, WriteAheadLog> logOpener;
    /** The received-data logs of the streams whose receivers ran here, by directory; closed with the service. */
    private final Map<String, WriteAheadLog> logs = new ConcurrentHashMap<>();

    /**
     * @param blockStore the executor's block store, shared with its tasks
     * @param serializer the application's serializer (receivers and block records)
     * @param driver     the driver's RPC address
     */
    public ReceiverService(String executorId, BlockStore blockStore, Serializer serializer, RpcClientFactory clients,
                           InetSocketAddress driver, Duration askTimeout) {
        this(executorId, blockStore, serializer, clients, driver, askTimeout, dir -> {
            throw new IllegalStateException("Executor " + executorId + " cannot open write-ahead logs (asked for " + dir + ")");
        }, SluiceConf.RPC_MAX_FRAME_BYTES.defaultValue());
    }

    /**
     * @param logOpener     opens the received-data write-ahead log in a directory, for receivers started with one
     * @param maxFrameBytes the transport's {@code sluice.rpc.maxFrameBytes}: copies that would not fit in a frame
     *                      (with room for the message around them) are streamed to the peer instead
     */
    public ReceiverService(String executorId, BlockStore blockStore, Serializer serializer, RpcClientFactory clients,
                           InetSocketAddress driver, Duration askTimeout, Function<String, WriteAheadLog> logOpener,
                           int maxFrameBytes) {
        this.maxInlineBytes = Math.max(0, maxFrameBytes - FRAME_HEADROOM);
        this.logOpener = logOpener;
        this.executorId = executorId;
        this.blockStore = blockStore;
        this.serializer = serializer;
        this.clients = clients;
        this.driver = driver;
        this.askTimeout = askTimeout;
        this.stopper = Executors.newCachedThreadPool(new NamedThreadFactory("sluice-receiver-stop-" + executorId, true));
    }

    @Override
    public Object receive(RpcCallContext ctx, Object message) throws Exception {
        if (message instanceof StartReceiver start) {
            return start(start);
        }
        if (message instanceof StopReceiver stop) {
            ReceiverSupervisor<?> s = supervisors.remove(stop.streamId());
            if (s == null) {
                return Boolean.FALSE;
            }
            return CompletableFuture.supplyAsync(() -> {
                s.stop(stop.graceful());
                return Boolean.TRUE;
            }, stopper);
        }
        if (message instanceof ReceiverMessages.UpdateRateLimit update) {
            ReceiverSupervisor<?> s = supervisors.get(update.streamId());
            if (s != null) {
                s.updateRateLimit(update.ratePerSecond());
            } else {
                LOG.debug("Executor {}: no receiver of stream {} here for rate {}", executorId, update.streamId(),
                        update.ratePerSecond());
            }
            return Boolean.TRUE;
        }
        if (message instanceof PutBlock put) {
            blockStore.putSerialized(put.blockId(), put.data(), put.count(), copyLevel(put.useDisk()));
            LOG.debug("Executor {}: keeping a copy of block {} ({} record(s), {} bytes)", executorId, put.blockId(),
                    put.count(), put.data().length);
            return Boolean.TRUE;
        }
        if (message instanceof CopyBlock copy) {
            return copyFrom(copy);
        }
        if (message instanceof GetBlock get) {
            List<?> records = blockStore.get(get.blockId());
            return new BlockData(get.blockId(), records == null ? null : serializer.serialize(new ArrayList<>(records)));
        }
        if (message instanceof RemoveBlocks remove) {
            for (String id : remove.blockIds()) {
                blockStore.remove(id);
            }
            return Boolean.TRUE;
        }
        throw new IllegalArgumentException("the receivers endpoint of executor " + executorId + " does not handle "
                + message.getClass().getName());
    }

    private Object start(StartReceiver start) {
        Receiver<?> receiver = serializer.deserialize(start.receiver());
        var settings = new ReceiverSupervisor.Settings(Duration.ofMillis(start.blockIntervalMs()), start.maxRatePerSecond(),
                Duration.ofMillis(start.restartDelayMs()), Duration.ofMillis(start.maxRestartDelayMs()),
                start.initialRatePerSecond());
        String self = start.location();
        var host = new ReceiverSupervisor.Host(executorId, self, self,
                (blockId, records, copies) -> replicate(blockId, records, copies, self));
        Consumer<ReceivedBlockInfo> reporter = this::report;
        if (start.receivedDataLogDir() != null) {
            // Written to the log before reported: a block the driver accepts is durable.
            reporter = new WalBlockReporter(logs.computeIfAbsent(start.receivedDataLogDir(), logOpener), blockStore,
                    serializer, reporter);
        }
        ReceiverSupervisor<?> supervisor = new ReceiverSupervisor<>(receiver, start.streamId(), new SystemClock(), settings,
                host, blockStore, reporter, this::forward);
        ReceiverSupervisor<?> previous = supervisors.put(start.streamId(), supervisor);
        if (previous != null) {
            LOG.warn("Executor {}: the receiver of stream {} was started again; stopping the previous one", executorId,
                    start.streamId());
            stopper.execute(() -> previous.stop(false));
        }
        supervisor.start();
        LOG.info("Executor {}: started receiver {} of stream {} ({})", executorId, supervisor.name(), start.streamId(),
                receiver.storageLevel());
        return Boolean.TRUE;
    }

    /** The supervisor running the receiver of {@code streamId} here, if any (for tests and monitoring). */
    public java.util.Optional<ReceiverSupervisor<?>> supervisor(int streamId) {
        return java.util.Optional.ofNullable(supervisors.get(streamId));
    }

    /** Sends a supervisor's receiver event to the driver's listener bus (one-way; a lost event is only logged). */
    private void forward(io.sluice.listener.StreamingListenerEvent event) {
        ReceiverMessages.ReceiverEvent message = ReceiverMessages.ReceiverEvent.of(event);
        if (message == null) {
            return;
        }
        clients.clientAsync(driver).thenCompose(c -> c.send(ReceiverMessages.TRACKER_ENDPOINT, message))
                .whenComplete((v, t) -> {
                    if (t != null) {
                        LOG.warn("Executor {}: could not tell the driver {}: {}", executorId, event, t.toString());
                    }
                });
    }

    /** Reports a stored block to the driver and waits until it holds it. */
    private void report(ReceivedBlockInfo info) {
        try {
            clients.client(driver).ask(ReceiverMessages.TRACKER_ENDPOINT, AddBlock.of(info), askTimeout)
                    .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dropCopies(info);
            throw new IllegalStateException("Executor " + executorId + ": interrupted while reporting block "
                    + info.blockId() + " of stream " + info.streamId(), e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            dropCopies(info);
            throw new IllegalStateException("Executor " + executorId + " could not report block " + info.blockId()
                    + " of stream " + info.streamId() + " to the driver at " + driver + ": " + e, e);
        }
    }

    /** A block the driver never heard of is dropped here and, best effort, at its peers: nothing would remove it. */
    private void dropCopies(ReceivedBlockInfo info) {
        blockStore.remove(info.blockId());
        var message = new RemoveBlocks(new String[] {info.blockId()});
        for (String location : info.locations().subList(1, info.locations().size())) {
            clients.clientAsync(DriverMapOutputLocations.parse(location))
                    .thenCompose(c -> c.send(ReceiverMessages.RECEIVERS_ENDPOINT, message))
                    .whenComplete((v, t) -> {
                        if (t != null) {
                            LOG.debug("Executor {}: could not drop the copy of {} at {}: {}", executorId, info.blockId(),
                                    location, t.toString());
                        }
                    });
        }
    }

    /**
     * Copies a block to up to {@code copies} peers the driver names, one after the other; returns who has one. A
     * block whose serialized form fits in a frame travels in a {@link PutBlock}; a larger one is announced with a
     * {@link CopyBlock} and the peer reads it from this executor's {@value #BLOCK_STREAM_PREFIX} stream, chunk by
     * chunk with the transport's backpressure, so it is never one frame. The copies get the block's level with one
     * replica (serialized, spilling to disk beyond the peer's memory budget if the level allows disk).
     *
     * @param self this executor's RPC address ({@code host:port}), where peers stream large blocks from
     */
    private List<String> replicate(String blockId, List<?> records, int copies, String self) {
        List<String> peers;
        try {
            Peers reply = clients.client(driver).<Peers>ask(ReceiverMessages.TRACKER_ENDPOINT, new GetPeers(executorId), askTimeout)
                    .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            peers = new ArrayList<>(List.of(reply.addresses()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("Executor {}: cannot ask the driver for peers to copy block {} to: {}", executorId, blockId, e.toString());
            return List.of();
        }
        Collections.shuffle(peers);
        var stored = blockStore.stored(blockId);
        boolean useDisk = stored == null || stored.level().useDisk();
        byte[] inline = null;
        long size;
        if (stored instanceof BlockStore.InMemoryBytes m) {
            size = m.bytes().length;
            inline = size <= maxInlineBytes ? m.bytes() : null;
        } else if (stored instanceof BlockStore.OnDisk d) {
            size = d.bytes();
        } else {
            inline = serializer.serialize(new ArrayList<>(records));
            size = inline.length;
            if (size > maxInlineBytes) {
                inline = null; // the stream serializes it again, from the store
            }
        }
        Object message = inline != null ? new PutBlock(blockId, inline, records.size(), useDisk)
                : new CopyBlock(blockId, self, size, records.size(), useDisk);
        // a streamed copy takes as long as its bytes need: allow the ask timeout per 16 MiB, at least once
        Duration timeout = inline != null ? askTimeout : askTimeout.multipliedBy(1 + size / (16L << 20));
        var done = new ArrayList<String>();
        for (String peer : peers) {
            if (done.size() >= copies) {
                break;
            }
            try {
                clients.client(DriverMapOutputLocations.parse(peer))
                        .ask(ReceiverMessages.RECEIVERS_ENDPOINT, message, timeout)
                        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                done.add(peer);
                LOG.debug("Executor {}: copied block {} ({} bytes, {}) to {}", executorId, blockId, size,
                        inline != null ? "in one message" : "streamed", peer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("Executor {}: could not copy block {} ({} bytes) to {}: {}", executorId, blockId, size, peer,
                        e.toString());
            }
        }
        return done;
    }

    private static StorageLevel copyLevel(boolean useDisk) {
        return useDisk ? StorageLevel.MEMORY_AND_DISK_SER : StorageLevel.MEMORY_ONLY_SER;
    }

    /**
     * Reads the copy a {@link CopyBlock} announces from its source's block stream: into memory if it fits in the
     * store's budget, else straight into a file of the store's directory. Completes with {@code TRUE} once stored,
     * or fails with the stream's failure (a partial file is deleted). Runs on the dispatcher only to start the
     * stream; the chunks arrive on the connection's I/O thread.
     */
    private CompletableFuture<Boolean> copyFrom(CopyBlock copy) {
        StorageLevel level = copyLevel(copy.useDisk());
        java.nio.file.Path file = blockStore.spillFileFor(copy.blockId(), copy.bytes(), level);
        io.sluice.rpc.StreamSink sink;
        var memory = file == null ? new java.io.ByteArrayOutputStream((int) Math.min(copy.bytes(), Integer.MAX_VALUE - 8)) : null;
        try {
            sink = file != null ? io.sluice.rpc.StreamSink.toFile(file) : chunk -> {
                byte[] bytes = new byte[chunk.remaining()];
                chunk.get(bytes);
                memory.write(bytes, 0, bytes.length);
            };
        } catch (java.io.IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return clients.clientAsync(DriverMapOutputLocations.parse(copy.source()))
                .thenCompose(c -> c.openStream(BLOCK_STREAM_PREFIX + copy.blockId(), sink))
                .thenApply(total -> {
                    if (total != copy.bytes()) {
                        throw new IllegalStateException("the copy of block " + copy.blockId() + " from " + copy.source()
                                + " has " + total + " bytes, " + copy.bytes() + " were announced");
                    }
                    if (file != null) {
                        blockStore.adoptFile(copy.blockId(), file, copy.count(), level);
                    } else {
                        blockStore.putSerialized(copy.blockId(), memory.toByteArray(), copy.count(), level);
                    }
                    LOG.debug("Executor {}: keeping a streamed copy of block {} ({} bytes{}) from {}", executorId,
                            copy.blockId(), total, file != null ? ", on disk" : "", copy.source());
                    return Boolean.TRUE;
                })
                .whenComplete((ok, error) -> {
                    if (error != null && file != null) {
                        try {
                            java.nio.file.Files.deleteIfExists(file);
                        } catch (java.io.IOException e) {
                            LOG.debug("Executor {}: could not delete {}: {}", executorId, file, e.toString());
                        }
                    }
                });
    }

    /**
     * The records of block {@code blockId} read from the first of {@code locations} that holds it, streamed from its
     * {@value #BLOCK_STREAM_PREFIX}{@code <blockId>} stream (so a block is not limited by the RPC frame size), or null
     * if none does; unreachable locations and those without the block are skipped. Runs on task threads; waits at
     * most the ask timeout per location.
     */
    public List<?> fetchBlock(String blockId, List<String> locations) {
        for (String location : locations) {
            var bytes = new java.io.ByteArrayOutputStream();
            try {
                clients.client(DriverMapOutputLocations.parse(location))
                        .openStream(BLOCK_STREAM_PREFIX + blockId, chunk -> {
                            byte[] copy = new byte[chunk.remaining()];
                            chunk.get(copy);
                            bytes.write(copy, 0, copy.length);
                        })
                        .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                LOG.debug("Executor {}: read block {} ({} bytes) from {}", executorId, blockId, bytes.size(), location);
                return serializer.deserialize(bytes.toByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("Executor {}: could not read block {} from {}: {}", executorId, blockId, location, e.toString());
            }
        }
        return null;
    }

    /**
     * The stream serving block {@code blockId} of this executor's store, its records serialized as one list: the
     * bytes as the store keeps them (the file itself for a block on disk).
     *
     * @throws IllegalArgumentException if this executor does not hold the block
     */
    public java.nio.channels.ReadableByteChannel openBlockStream(String blockId) {
        java.nio.channels.ReadableByteChannel channel;
        try {
            channel = blockStore.openSerialized(blockId);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("executor " + executorId + " cannot read block " + blockId, e);
        }
        if (channel == null) {
            throw new IllegalArgumentException("executor " + executorId + " does not hold block " + blockId);
        }
        return channel;
    }

    /** Stops every receiver here (not gracefully) and the stop threads; bounded by the supervisors' own stop timeouts. */
    @Override
    public void close() {
        for (ReceiverSupervisor<?> s : supervisors.values()) {
            try {
                s.stop(false);
            } catch (RuntimeException e) {
                LOG.warn("Executor {}: error stopping receiver of stream {}", executorId, s.streamId(), e);
            }
        }
        supervisors.clear();
        stopper.shutdownNow();
        for (WriteAheadLog log : logs.values()) {
            try {
                log.close();
            } catch (RuntimeException e) {
                LOG.warn("Executor {}: error closing write-ahead log {}", executorId, log, e);
            }
        }
        logs.clear();
    }
}
