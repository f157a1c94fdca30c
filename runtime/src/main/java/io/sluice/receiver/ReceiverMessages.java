package io.sluice.receiver;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.wal.RecordHandle;
import java.util.List;

/**
 * The messages between the driver's {@link ReceiverTracker} and the receivers running on executors, and the
 * endpoint names they go to.
 *
 * <p>The driver asks an executor's {@value #RECEIVERS_ENDPOINT} endpoint with {@link StartReceiver} (reply
 * {@code Boolean.TRUE} once the supervisor started) and {@link StopReceiver} (reply once it stopped, after a
 * graceful stop only once its last block was reported). The executor's supervisor asks the driver's
 * {@value #TRACKER_ENDPOINT} endpoint with {@link AddBlock} for every block once it is stored (reply
 * {@code Boolean.TRUE} once the tracker holds it). Tasks reading a block their executor does not hold ask a holder's
 * {@value #RECEIVERS_ENDPOINT} endpoint with {@link GetBlock}. A supervisor asks the driver for {@link GetPeers} and
 * then one peer's {@value #RECEIVERS_ENDPOINT} endpoint with {@link PutBlock} to copy a block. The driver sends {@link RemoveBlocks} one-way once a
 * batch is forgotten.
 */
public final class ReceiverMessages {
    /** The executor's endpoint receivers are started on and blocks are served from. */
    public static final String RECEIVERS_ENDPOINT = "receivers";
    /** The driver's endpoint receivers report their blocks to. */
    public static final String TRACKER_ENDPOINT = "receiver-tracker";

    private ReceiverMessages() {
    }

    /**
     * Run a receiver.
     *
     * @param receiver the {@link Receiver}, serialized with the application's serializer
     * @param location the executor's own RPC address ({@code host:port}) as the driver knows it, which its blocks
     *                 are reported with
     * @param initialRatePerSecond backpressure's rate before its first estimate (0: none)
     * @param receivedDataLogDir the directory of the stream's received-data write-ahead log, which every block is
     *                 written to before it is reported; null when the log is off
     */
    public record StartReceiver(int streamId, byte[] receiver, String location, long blockIntervalMs, long maxRatePerSecond,
                                long restartDelayMs, long maxRestartDelayMs, long initialRatePerSecond,
                                String receivedDataLogDir) {
        /** Without backpressure's initial rate and without a write-ahead log. */
        public StartReceiver(int streamId, byte[] receiver, String location, long blockIntervalMs, long maxRatePerSecond,
                             long restartDelayMs, long maxRestartDelayMs) {
            this(streamId, receiver, location, blockIntervalMs, maxRatePerSecond, restartDelayMs, maxRestartDelayMs, 0,
                    null);
        }

        /** Without a write-ahead log. */
        public StartReceiver(int streamId, byte[] receiver, String location, long blockIntervalMs, long maxRatePerSecond,
                             long restartDelayMs, long maxRestartDelayMs, long initialRatePerSecond) {
            this(streamId, receiver, location, blockIntervalMs, maxRatePerSecond, restartDelayMs, maxRestartDelayMs,
                    initialRatePerSecond, null);
        }
    }

    /**
     * Backpressure's latest estimate for the receiver of {@code streamId} (one-way, driver to the executor running
     * it): it may store {@code ratePerSecond} records per second, capped by its maximum rate.
     */
    public record UpdateRateLimit(int streamId, long ratePerSecond) {
    }

    /** Stop the receiver of {@code streamId}; with {@code graceful}, its buffered records become a last block. */
    public record StopReceiver(int streamId, boolean graceful) {
    }

    /**
     * A block was stored; {@code locations} are the RPC addresses of the executors holding a copy, {@code walPath},
     * {@code walOffset} and {@code walLength} where it is in the write-ahead log ({@code walPath} null: not logged).
     */
    public record AddBlock(int streamId, String blockId, long blockTimeMs, long numRecords, String[] locations,
                           String walPath, long walOffset, int walLength) {
        public static AddBlock of(ReceivedBlockInfo info) {
            RecordHandle h = info.walHandle();
            return new AddBlock(info.streamId(), info.blockId(), info.blockTimeMs(), info.numRecords(),
                    info.locations().toArray(String[]::new), h == null ? null : h.path(), h == null ? 0 : h.offset(),
                    h == null ? 0 : h.length());
        }

        public ReceivedBlockInfo toInfo() {
            return new ReceivedBlockInfo(streamId, blockId, blockTimeMs, numRecords, List.of(locations),
                    walPath == null ? null : new RecordHandle(walPath, walOffset, walLength));
        }
    }

    /** The records of a block this executor holds; answered with {@link BlockData}. */
    public record GetBlock(String blockId) {
    }

    /** The records of a block, serialized with the application's serializer; {@code data} null if not held. */
    public record BlockData(String blockId, byte[] data) {
    }

    /**
     * Keep a copy of a block (replication); {@code data} is its records serialized, {@code count} how many;
     * {@code useDisk}: the copy may go to disk beyond the peer's memory budget. Reply {@code Boolean.TRUE} once stored.
     * Only for blocks that fit in a frame; larger ones are sent with {@link CopyBlock}.
     */
    public record PutBlock(String blockId, byte[] data, long count, boolean useDisk) {
    }

    /**
     * Keep a copy of a block too large for one frame: the peer reads it from the {@code block/<blockId>} stream of
     * {@code source} ({@code host:port}), chunk by chunk into memory or straight to a file, and replies
     * {@code Boolean.TRUE} once it holds the whole copy. {@code bytes} is the block's serialized size.
     */
    public record CopyBlock(String blockId, String source, long bytes, long count, boolean useDisk) {
    }

    /** Which other executors can take copies of blocks stored on {@code executorId}? Answered with {@link Peers}. */
    public record GetPeers(String executorId) {
    }

    /** RPC addresses ({@code host:port}) of executors. */
    public record Peers(String[] addresses) {
    }

    /**
     * A receiver on an executor started, reported an error or stopped (one-way, to the driver's
     * {@value #TRACKER_ENDPOINT} endpoint, which posts it to the listener bus). The fields are those of
     * {@link io.sluice.listener.ReceiverInfo}; {@code kind} is {@link #STARTED}, {@link #ERROR} or {@link #STOPPED}.
     */
    public record ReceiverEvent(int kind, int streamId, String name, boolean active, String location, String executorId,
                                String lastErrorMessage, String lastError, long lastErrorTime) {
        public static final int STARTED = 0;
        public static final int ERROR = 1;
        public static final int STOPPED = 2;

        /** The message for a supervisor's event; null for events that are not about a receiver. */
        public static ReceiverEvent of(io.sluice.listener.StreamingListenerEvent event) {
            io.sluice.listener.ReceiverInfo i;
            int kind;
            if (event instanceof io.sluice.listener.StreamingListenerEvent.ReceiverStarted e) {
                i = e.receiverInfo();
                kind = STARTED;
            } else if (event instanceof io.sluice.listener.StreamingListenerEvent.ReceiverError e) {
                i = e.receiverInfo();
                kind = ERROR;
            } else if (event instanceof io.sluice.listener.StreamingListenerEvent.ReceiverStopped e) {
                i = e.receiverInfo();
                kind = STOPPED;
            } else {
                return null;
            }
            return new ReceiverEvent(kind, i.streamId(), i.name(), i.active(), i.location(), i.executorId(),
                    i.lastErrorMessage(), i.lastError(), i.lastErrorTime());
        }

        /** The listener event this message stands for. */
        public io.sluice.listener.StreamingListenerEvent toEvent() {
            var info = new io.sluice.listener.ReceiverInfo(streamId, name, active, location, executorId, lastErrorMessage,
                    lastError, lastErrorTime);
            return switch (kind) {
                case STARTED -> new io.sluice.listener.StreamingListenerEvent.ReceiverStarted(info);
                case ERROR -> new io.sluice.listener.StreamingListenerEvent.ReceiverError(info);
                case STOPPED -> new io.sluice.listener.StreamingListenerEvent.ReceiverStopped(info);
                default -> throw new IllegalArgumentException("unknown receiver event kind " + kind);
            };
        }
    }

    /** Drop these blocks (one-way). */
    public record RemoveBlocks(String[] blockIds) {
    }

    /** Registers these messages with Kryo, so they work with {@code sluice.kryo.registrationRequired}. */
    public static void registerWith(Kryo kryo) {
        // appended at the end of the registrations: earlier classes keep their ids
        kryo.register(StartReceiver.class);
        kryo.register(StopReceiver.class);
        kryo.register(AddBlock.class);
        kryo.register(GetBlock.class);
        kryo.register(BlockData.class);
        kryo.register(RemoveBlocks.class);
        kryo.register(PutBlock.class);
        kryo.register(GetPeers.class);
        kryo.register(Peers.class);
        kryo.register(ReceiverEvent.class);
        kryo.register(UpdateRateLimit.class);
        kryo.register(CopyBlock.class);
    }
}
