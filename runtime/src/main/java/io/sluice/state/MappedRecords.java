package io.sluice.state;

import io.sluice.api.Time;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What a mapWithState function returned in each batch, by state partition: written together with the state
 * version (so exactly once per batch), read by the mapped stream, forgotten with the batch.
 */
public final class MappedRecords<U> {
    private final int numPartitions;
    private final ConcurrentHashMap<Time, AtomicReferenceArray<List<U>>> byTime = new ConcurrentHashMap<>();

    public MappedRecords(int numPartitions) {
        this.numPartitions = numPartitions;
    }

    public void put(Time time, int partition, List<U> records) {
        byTime.computeIfAbsent(time, t -> new AtomicReferenceArray<>(numPartitions)).set(partition, records);
    }

    /** The records of a partition of batch {@code time}; fails if that batch was not computed or is forgotten. */
    public List<U> get(Time time, int partition) {
        AtomicReferenceArray<List<U>> parts = byTime.get(time);
        List<U> records = parts == null ? null : parts.get(partition);
        if (records == null) {
            throw new IllegalStateException("The mapped records of partition " + partition + " at " + time
                    + " are not available: that batch's state was not computed here or has been forgotten");
        }
        return records;
    }

    /** Drops the records of batches up to and including {@code time}. */
    public void forgetUpTo(Time time) {
        byTime.keySet().removeIf(t -> !t.isAfter(time));
    }
}
