package io.sluice.receiver;

import java.util.List;

/**
 * A block a receiver stored: the stream, the block id ({@code input-<streamId>-<blockTimeMs>}), its time, how
 * many records it holds, and where copies of it are: the RPC addresses ({@code host:port}) of the executors whose
 * block stores hold it, the storing executor first. In local mode {@code locations} is empty: the block is in the
 * driver's own store.
 */
public record ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords, List<String> locations) {

    public ReceivedBlockInfo {
        locations = List.copyOf(locations);
    }

    /** A block held by the driver's own block store (local mode). */
    public ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords) {
        this(streamId, blockId, blockTimeMs, numRecords, List.of());
    }

    /** The id of the block of stream {@code streamId} with time {@code blockTimeMs}. */
    public static String blockId(int streamId, long blockTimeMs) {
        return "input-" + streamId + "-" + blockTimeMs;
    }
}
