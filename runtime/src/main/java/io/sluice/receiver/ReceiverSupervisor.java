package io.sluice.receiver;

import io.sluice.conf.SluiceConf;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.storage.BlockStore;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs one {@link Receiver}: starts and stops it on its own named thread, restarts it after a delay when it asks
 * to, turns what it stores into blocks (through a {@link BlockGenerator}, or directly for whole collections), puts
 * the blocks into the {@link BlockStore} and reports them, and publishes ReceiverStarted / ReceiverError /
 * ReceiverStopped events.
 *
 * <p>Lifecycle: {@link #start()} once; the receiver may then restart any number of times or stop itself;
 * {@link #stop(boolean)} ends everything (idempotent). All starts and stops of the receiver run on the
 * supervisor thread, so {@code onStart} and {@code onStop} never overlap.
 */
public final class ReceiverSupervisor<T> {
    private static final Logger LOG = LogManager.getLogger(ReceiverSupervisor.class);
    private static final long STOP_TIMEOUT_MS = 10_000;

    /**
     * Copies a block to other executors' block stores, for storage levels with a replication above one.
     */
    @FunctionalInterface
    public interface BlockReplicator {
        /**
         * Puts a copy of the block into the block stores of up to {@code copies} other executors and returns, only
         * once those copies are stored, the RPC addresses ({@code host:port}) of the executors that hold one (fewer
         * than {@code copies}, possibly none, when fewer peers are alive or reachable). Never throws for an
         * unreachable peer.
         */
        List<String> replicate(String blockId, List<?> records, int copies);
    }

    /**
     * Where a supervisor runs: the executor id and location reported in {@link ReceiverInfo}, the RPC address its
     * blocks are reported with (null on the driver, whose own store needs no address), and how blocks are copied to
     * other executors (null: nowhere to copy them).
     */
    public record Host(String executorId, String location, String blockAddress, BlockReplicator replicator) {
        /** The driver, in local mode. */
        public static final Host DRIVER = new Host("driver", "localhost", null, null);
    }

    /**
     * What a supervisor needs from the configuration. Rates are records per second, 0 meaning none:
     * {@code maxRatePerSecond} is {@code sluice.streaming.receiver.maxRate}, {@code initialRatePerSecond} the limit
     * before backpressure's first estimate ({@code sluice.streaming.backpressure.initialRate} when backpressure is on).
     */
    public record Settings(Duration blockInterval, long maxRatePerSecond, Duration restartDelay, Duration maxRestartDelay,
                           long initialRatePerSecond) {
        /** Settings without backpressure. */
        public Settings(Duration blockInterval, long maxRatePerSecond, Duration restartDelay, Duration maxRestartDelay) {
            this(blockInterval, maxRatePerSecond, restartDelay, maxRestartDelay, 0);
        }

        public static Settings from(SluiceConf conf) {
            long initial = conf.get(SluiceConf.BACKPRESSURE_ENABLED) ? conf.get(SluiceConf.BACKPRESSURE_INITIAL_RATE) : 0;
            return new Settings(conf.get(SluiceConf.BLOCK_INTERVAL), conf.get(SluiceConf.RECEIVER_MAX_RATE),
                    conf.get(SluiceConf.RECEIVER_RESTART_DELAY), conf.get(SluiceConf.RECEIVER_MAX_RESTART_DELAY), initial);
        }

        /** The rate limit a receiver starts with: the initial rate capped by the maximum rate, if any. */
        public long startRate() {
            return initialRatePerSecond > 0 ? capped(initialRatePerSecond) : maxRatePerSecond;
        }

        /** {@code rate} capped by the maximum rate, if any; the effective limit for an estimated rate. */
        public long capped(long rate) {
            return maxRatePerSecond > 0 ? Math.min(maxRatePerSecond, rate) : rate;
        }
    }

    /** The receiver's state as seen by the supervisor. */
    public enum ReceiverState { INITIALIZED, STARTED, STOPPED }

    private final Receiver<T> receiver;
    private final int streamId;
    private final String name;
    private final Clock clock;
    private final Settings settings;
    private final Host host;
    private final BlockStore blockStore;
    private final Consumer<ReceivedBlockInfo> blockReporter;
    private final Consumer<StreamingListenerEvent> events;
    private final RateLimiter rateLimiter;
    private final BlockGenerator<T> blockGenerator;
    private final ScheduledExecutorService thread;
    private final Object blockIdLock = new Object();
    private long lastBlockTimeMs = Long.MIN_VALUE;
    private boolean replicationWarned;
    private volatile ReceiverState receiverState = ReceiverState.INITIALIZED;
    private volatile boolean restartPending;
    private volatile boolean stopped;
    /** Set when the receiver stopped itself: no restart may bring it back. */
    private volatile boolean stoppedForGood;
    private volatile boolean acceptingBlocks = true;
    private volatile String lastErrorMessage = "";
    private volatile String lastError = "";
    private volatile long lastErrorTime = -1;

    /**
     * @param blockReporter told about each block once it is in the block store (the {@link ReceiverTracker})
     * @param events        where listener events go (the context's listener bus)
     */
    public ReceiverSupervisor(Receiver<T> receiver, int streamId, Clock clock, Settings settings, BlockStore blockStore,
                              Consumer<ReceivedBlockInfo> blockReporter, Consumer<StreamingListenerEvent> events) {
        this(receiver, streamId, clock, settings, Host.DRIVER, blockStore, blockReporter, events);
    }

    /**
     * A supervisor on {@code host} (an executor): blocks are stored in {@code blockStore}, copied with the host's
     * replicator when the receiver's storage level asks for more than one copy, and only then reported, with the
     * addresses of every copy, to {@code blockReporter}; the reporter may block until the driver holds the block and
     * throws if it could not be told.
     */
    public ReceiverSupervisor(Receiver<T> receiver, int streamId, Clock clock, Settings settings, Host host,
                              BlockStore blockStore, Consumer<ReceivedBlockInfo> blockReporter,
                              Consumer<StreamingListenerEvent> events) {
        this.host = host;
        this.receiver = receiver;
        this.streamId = streamId;
        String simple = receiver.getClass().getSimpleName();
        this.name = (simple.isEmpty() ? receiver.getClass().getName() : simple) + "-" + streamId;
        this.clock = clock;
        this.settings = settings;
        this.blockStore = blockStore;
        this.blockReporter = blockReporter;
        this.events = events;
        this.rateLimiter = new RateLimiter(clock, settings.startRate());
        this.blockGenerator = new BlockGenerator<>(streamId, clock, settings.blockInterval(), rateLimiter, this::storeBlock);
        var executor = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("sluice-receiver-supervisor-" + streamId, true));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
        receiver.attach(streamId, this);
    }

    /** Starts the block generator, then the receiver (asynchronously, on the supervisor thread). */
    public void start() {
        blockGenerator.start();
        thread.execute(this::startReceiver);
        LOG.info("Supervisor of receiver {} (stream {}) started", name, streamId);
    }

    // ---------------------------------------------------------------- data from the receiver

    void pushSingle(T record) {
        blockGenerator.addData(record);
    }

    void pushBlock(List<T> records) {
        if (!acceptingBlocks) {
            throw new IllegalStateException("Cannot store data of stream " + streamId + ": its receiver " + name
                    + " has been stopped");
        }
        if (!records.isEmpty()) {
            storeBlock(clock.currentTimeMillis(), records);
        }
    }

    /**
     * Puts a block into the block store and reports it. Block times are unique per stream: a block that would reuse
     * a time already taken (a direct block in the same millisecond) gets the next free millisecond.
     */
    private void storeBlock(long proposedTimeMs, List<T> records) {
        ReceivedBlockInfo info;
        synchronized (blockIdLock) {
            long time = Math.max(proposedTimeMs, lastBlockTimeMs == Long.MIN_VALUE ? proposedTimeMs : lastBlockTimeMs + 1);
            lastBlockTimeMs = time;
            String blockId = ReceivedBlockInfo.blockId(streamId, time);
            blockStore.putOwned(blockId, records, receiver.storageLevel());
            var locations = new java.util.ArrayList<String>();
            if (host.blockAddress() != null) {
                locations.add(host.blockAddress());
            }
            int wanted = receiver.storageLevel().replication() - 1;
            if (wanted > 0) {
                List<String> peers = host.replicator() == null ? List.of() : host.replicator().replicate(blockId, records, wanted);
                locations.addAll(peers);
                if (peers.size() < wanted && !replicationWarned) {
                    replicationWarned = true;
                    LOG.warn("Block {} replicated to only {} peer(s) instead of {} peers: {} (said once per receiver)",
                            blockId, peers.size(), wanted, host.replicator() == null
                                    ? "local mode has no other executor" : "no other executor could take a copy");
                } else if (peers.size() < wanted) {
                    LOG.debug("Block {} replicated to only {} peer(s) instead of {}", blockId, peers.size(), wanted);
                }
            }
            info = new ReceivedBlockInfo(streamId, blockId, time, records.size(), locations);
        }
        LOG.debug("Stored block {} of stream {} with {} record(s) on {}", info.blockId(), streamId, info.numRecords(),
                info.locations().isEmpty() ? host.executorId() : info.locations());
        blockReporter.accept(info);
    }

    // ---------------------------------------------------------------- control from the receiver

    void reportError(String message, Throwable error) {
        LOG.warn("Receiver {} (stream {}) reported an error: {}", name, streamId, message, error);
        recordError(message, error);
        events.accept(new StreamingListenerEvent.ReceiverError(info(isReceiverStarted())));
    }

    /** Stops the receiver and schedules its start after {@code delay} (null: the configured restart delay). */
    void restartReceiver(String message, Throwable error, Duration delay) {
        Duration d = delay != null ? delay : settings.restartDelay();
        synchronized (this) {
            if (stopped || stoppedForGood || restartPending) {
                LOG.debug("Ignoring restart of receiver {}: {}", name, restartPending ? "restart already pending" : "stopped");
                return;
            }
            restartPending = true;
        }
        LOG.warn("Restarting receiver {} (stream {}) in {} ms: {}", name, streamId, d.toMillis(), message, error);
        if (error != null) {
            recordError(message, error);
            events.accept(new StreamingListenerEvent.ReceiverError(info(false)));
        }
        submit(() -> {
            stopReceiverNow("Restarting receiver: " + message);
            if (!stopped) {
                thread.schedule(this::startReceiver, d.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The receiver stops itself for good; what it stored so far is still pushed and processed. */
    void stopReceiver(String message, Throwable error) {
        if (error != null) {
            LOG.error("Receiver {} (stream {}) stopped with error: {}", name, streamId, message, error);
            recordError(message, error);
        } else {
            LOG.info("Receiver {} (stream {}) stopped: {}", name, streamId, message);
        }
        synchronized (this) {
            stoppedForGood = true;
            restartPending = false;
        }
        submit(() -> {
            stopReceiverNow(message);
            blockGenerator.stop(true);
            acceptingBlocks = false;
        });
    }

    // ---------------------------------------------------------------- state

    /** True while the receiver runs and nobody asked it to stop or restart. */
    public boolean isReceiverStarted() {
        return !isReceiverStopped();
    }

    /** True unless the receiver runs; already true once a stop or restart has been asked for. */
    public boolean isReceiverStopped() {
        return receiverState != ReceiverState.STARTED || restartPending || stoppedForGood || stopped;
    }

    public ReceiverState receiverState() {
        return receiverState;
    }

    public int streamId() {
        return streamId;
    }

    public String name() {
        return name;
    }

    public Receiver<T> receiver() {
        return receiver;
    }

    /**
     * Applies backpressure's latest estimate: the receiver may store {@code estimatedRate} records per second from now
     * on, never more than {@code sluice.streaming.receiver.maxRate}. A rate that is not positive is ignored.
     */
    public void updateRateLimit(long estimatedRate) {
        if (estimatedRate <= 0) {
            return;
        }
        long rate = settings.capped(estimatedRate);
        rateLimiter.setRate(rate);
        LOG.debug("Receiver {} (stream {}) may now store {} records/s (estimated {})", name, streamId, rate, estimatedRate);
    }

    /** The rate limiter of this receiver (backpressure may change its rate). */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    public BlockGenerator<T> blockGenerator() {
        return blockGenerator;
    }

    public Settings settings() {
        return settings;
    }

    /** The receiver's current state and last error, as published in listener events. */
    public ReceiverInfo info(boolean active) {
        return new ReceiverInfo(streamId, name, active, host.location(), host.executorId(), lastErrorMessage, lastError, lastErrorTime);
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Stops the receiver and the block generator and ends the supervisor thread. With {@code graceful}, records
     * still buffered become a last block (so they are processed); otherwise they are dropped. Idempotent; waits at
     * most a bounded time for {@code onStop}.
     */
    public void stop(boolean graceful) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            restartPending = false;
        }
        Future<?> f = submit(() -> stopReceiverNow("Stopped by the streaming context"));
        if (f != null) {
            try {
                f.get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                LOG.warn("Error stopping receiver {} (stream {})", name, streamId, e.getCause());
            } catch (TimeoutException e) {
                LOG.warn("Receiver {} (stream {}) did not stop within {} ms", name, streamId, STOP_TIMEOUT_MS);
            }
        }
        blockGenerator.stop(graceful);
        acceptingBlocks = false;
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("Supervisor thread of receiver {} did not end within {} ms", name, STOP_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("Supervisor of receiver {} (stream {}) stopped", name, streamId);
    }

    // ---------------------------------------------------------------- on the supervisor thread

    private void startReceiver() {
        if (stopped || stoppedForGood) {
            return;
        }
        synchronized (this) {
            restartPending = false;
        }
        receiverState = ReceiverState.STARTED;
        try {
            receiver.onStart();
        } catch (Throwable t) {
            LOG.error("Error starting receiver {} (stream {})", name, streamId, t);
            restartReceiver("Error starting receiver " + name, t, null);
            return;
        }
        LOG.info("Receiver {} (stream {}) started", name, streamId);
        events.accept(new StreamingListenerEvent.ReceiverStarted(info(true)));
    }

    private void stopReceiverNow(String message) {
        if (receiverState != ReceiverState.STARTED) {
            return;
        }
        receiverState = ReceiverState.STOPPED;
        try {
            receiver.onStop();
        } catch (Throwable t) {
            LOG.warn("Error in onStop of receiver {} (stream {})", name, streamId, t);
        }
        LOG.info("Receiver {} (stream {}) stopped: {}", name, streamId, message);
        events.accept(new StreamingListenerEvent.ReceiverStopped(info(false)));
    }

    private Future<?> submit(Runnable r) {
        try {
            return thread.submit(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("Error on the supervisor thread of receiver {} (stream {})", name, streamId, e);
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Supervisor of receiver {} already shut down; ignoring a late request", name);
            return null;
        }
    }

    private void recordError(String message, Throwable error) {
        lastErrorMessage = message;
        lastErrorTime = clock.currentTimeMillis();
        if (error == null) {
            lastError = "";
        } else {
            var sw = new StringWriter();
            error.printStackTrace(new PrintWriter(sw));
            lastError = sw.toString();
        }
    }
}
