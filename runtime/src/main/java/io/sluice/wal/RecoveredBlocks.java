package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * What a restarted driver knows about received blocks, replayed from its {@link ReceivedBlockMetadataLog}.
 *
 * @param unallocated        blocks received but not yet given to a batch, by stream id (streams with none left
 *                           out), in arrival order
 * @param allocated          the blocks of every batch allocated and not cleaned, by batch time, then stream id
 * @param lastAllocatedBatch the latest batch time blocks were allocated to (null if none): a batch at or before it
 *                           must not take new blocks
 * @param damage             damaged records met while reading the log (recovery kept everything before them)
 */
public record RecoveredBlocks(Map<Integer, List<ReceivedBlockInfo>> unallocated,
                              SortedMap<Time, Map<Integer, List<ReceivedBlockInfo>>> allocated,
                              Time lastAllocatedBatch, List<CorruptRecordException> damage) {

    public RecoveredBlocks {
        unallocated = Collections.unmodifiableMap(unallocated);
        allocated = Collections.unmodifiableSortedMap(allocated);
        damage = List.copyOf(damage);
    }

    /** The blocks of stream {@code streamId} allocated to batch {@code time}, or none. */
    public List<ReceivedBlockInfo> blocksOfBatch(Time time, int streamId) {
        var batch = allocated.get(time);
        return batch == null ? List.of() : batch.getOrDefault(streamId, List.of());
    }
}
