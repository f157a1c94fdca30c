package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the driver's {@link ReceivedBlockMetadataLog} records about received blocks. */
public sealed interface BlockMetadataEvent {

    /** A receiver reported a block; it waits for the next batch. */
    record BlockAdded(ReceivedBlockInfo block) implements BlockMetadataEvent {
    }

    /**
     * Batch {@code batchTime} took these blocks, by stream id (possibly none: the allocation still happened, and a
     * restarted driver must not give later blocks to this batch).
     */
    record BatchAllocated(Time batchTime, Map<Integer, List<ReceivedBlockInfo>> blocks) implements BlockMetadataEvent {
        public BatchAllocated {
            var copy = new LinkedHashMap<Integer, List<ReceivedBlockInfo>>();
            blocks.forEach((stream, list) -> copy.put(stream, List.copyOf(list)));
            blocks = java.util.Collections.unmodifiableMap(copy);
        }
    }

    /** Every batch before {@code threshold} is done and its blocks are forgotten. */
    record BatchCleaned(Time threshold) implements BlockMetadataEvent {
    }
}
