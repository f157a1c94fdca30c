package io.sluice.executor;

import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverMessages;
import io.sluice.receiver.ReceiverMessages.AddBlock;
import io.sluice.receiver.ReceiverMessages.BlockData;
import io.sluice.receiver.ReceiverMessages.GetBlock;
import io.sluice.receiver.ReceiverMessages.GetPeers;
import io.sluice.receiver.ReceiverMessages.Peers;
import io.sluice.receiver.ReceiverMessages.PutBlock;
import io.sluice.receiver.ReceiverMessages.RemoveBlocks;
import io.sluice.receiver.ReceiverMessages.StartReceiver;
import io.sluice.receiver.ReceiverMessages.StopReceiver;
import io.sluice.receiver.ReceiverSupervisor;
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
 *   the driver with {@link GetPeers}, sent with {@link PutBlock}), then reported to the driver's
 *   {@value ReceiverMessages#TRACKER_ENDPOINT} endpoint with {@link AddBlock}, waiting for the driver's reply (at
 *   most the ask timeout): a block counts only once the driver holds it. A report that fails drops the block's
 *   copies and is thrown back to the storing thread (the receiver's, for {@code store(List)}).</li>
 *   <li>The supervisor's receiver events (started, error, stopped) go to the driver's listener bus as
 *   {@link ReceiverMessages.ReceiverEvent}s.</li>
 *   <li>{@link StopReceiver}: stops the supervisor (on a separate thread, so the endpoint stays free for the blocks
 *   the stop still reports); the reply completes once it stopped.</li>
 *   <li>{@link PutBlock}, {@link GetBlock}, {@link RemoveBlocks}: keep, serve and drop blocks of this store; tasks
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

    private final String executorId;
    private final BlockStore blockStore;
    private final Serializer serializer;
    private final RpcClientFactory clients;
    private final InetSocketAddress driver;
    private final Duration askTimeout;
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
        });
    }

    /**
     * @param logOpener opens the received-data write-ahead log in a directory, for receivers started with one
     */
    public ReceiverService(String executorId, BlockStore blockStore, Serializer serializer, RpcClientFactory clients,
                           InetSocketAddress driver, Duration askTimeout, Function<String, WriteAheadLog> logOpener) {
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
            List<?> records = serializer.deserialize(put.data());
            blockStore.putOwned(put.blockId(), records, StorageLevel.MEMORY_ONLY_SER);
            LOG.debug("Executor {}: keeping a copy of block {} ({} record(s))", executorId, put.blockId(), records.size());
            return Boolean.TRUE;
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
        var host = new ReceiverSupervisor.Host(executorId, start.location(), start.location(), this::replicate);
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

    /** Copies a block to up to {@code copies} peers the driver names, one after the other; returns who has one. */
    private List<String> replicate(String blockId, List<?> records, int copies) {
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
        byte[] data = serializer.serialize(new ArrayList<>(records));
        var done = new ArrayList<String>();
        for (String peer : peers) {
            if (done.size() >= copies) {
                break;
            }
            try {
                clients.client(DriverMapOutputLocations.parse(peer))
                        .ask(ReceiverMessages.RECEIVERS_ENDPOINT, new PutBlock(blockId, data), askTimeout)
                        .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                done.add(peer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warn("Executor {}: could not copy block {} to {}: {}", executorId, blockId, peer, e.toString());
            }
        }
        return done;
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
     * The stream serving block {@code blockId} of this executor's store, its records serialized as one list.
     *
     * @throws IllegalArgumentException if this executor does not hold the block
     */
    public java.nio.channels.ReadableByteChannel openBlockStream(String blockId) {
        List<?> records = blockStore.get(blockId);
        if (records == null) {
            throw new IllegalArgumentException("executor " + executorId + " does not hold block " + blockId);
        }
        byte[] data = serializer.serialize(new ArrayList<>(records));
        return java.nio.channels.Channels.newChannel(new java.io.ByteArrayInputStream(data));
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
