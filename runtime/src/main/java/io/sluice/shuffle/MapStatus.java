package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;

/**
 * Where the output of one map task is and how large each of its buckets is, as reported when the task finishes.
 *
 * @param location    the process holding the output
 * @param mapId       the map partition
 * @param bucketBytes the serialized size of each reduce partition's bucket, 0 for an empty bucket (readers do not
 *                    fetch those); {@code null} for outputs kept as objects in the driver's memory (local mode),
 *                    which are never serialized or fetched
 */
public record MapStatus(ExecutorId location, int mapId, long[] bucketBytes) {

    /** The serialized size of the bucket of {@code reducePartition}; -1 when not measured. */
    public long bytes(int reducePartition) {
        return bucketBytes == null ? -1 : bucketBytes[reducePartition];
    }

    @Override
    public String toString() {
        return "MapStatus(map " + mapId + " on " + location + ")";
    }
}
