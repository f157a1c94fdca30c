package io.sluice.receiver;

import io.sluice.wal.RecordHandle;
import java.util.List;

/**
 * A block a receiver stored: the stream, the block id ({@code input-<streamId>-<blockTimeMs>}), its time, how
 * many records it holds, and where copies of it are: the RPC addresses ({@code host:port}) of the executors whose
 * block stores hold it, the storing executor first. In local mode {@code locations} is empty: the block is in the
 * driver's own store. With the receiver write-ahead log on, {@code walHandle} is where the block's records are in
 * the log, so the block can be read back after every in-memory copy is gone; otherwise it is null.
 */
public record ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords, List<String> locations,
                                RecordHandle walHandle) {

    public ReceivedBlockInfo {
        locations = List.copyOf(locations);
    }

    /** A block not in a write-ahead log. */
    public ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords, List<String> locations) {
        this(streamId, blockId, blockTimeMs, numRecords, locations, null);
    }

    /** A block held by the driver's own block store (local mode). */
    public ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords) {
        this(streamId, blockId, blockTimeMs, numRecords, List.of());
    }

    /** This block with other locations (same write-ahead log handle). */
    public ReceivedBlockInfo withLocations(List<String> newLocations) {
        return new ReceivedBlockInfo(streamId, blockId, blockTimeMs, numRecords, newLocations, walHandle);
    }

    /** The id of the block of stream {@code streamId} with time {@code blockTimeMs}. */
    public static String blockId(int streamId, long blockTimeMs) {
        return "input-" + streamId + "-" + blockTimeMs;
    }
}
