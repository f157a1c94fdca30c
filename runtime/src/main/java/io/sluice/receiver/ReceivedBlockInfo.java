package io.sluice.receiver;

/**
 * A block a receiver stored: the stream, the block id ({@code input-<streamId>-<blockTimeMs>}), its time and how
 * many records it holds.
 */
public record ReceivedBlockInfo(int streamId, String blockId, long blockTimeMs, long numRecords) {

    /** The id of the block of stream {@code streamId} with time {@code blockTimeMs}. */
    public static String blockId(int streamId, long blockTimeMs) {
        return "input-" + streamId + "-" + blockTimeMs;
    }
}
