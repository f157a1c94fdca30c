package io.sluice.shuffle;

/** The write side of shuffles in one process: keeps the outputs of the map tasks that ran here. */
public interface MapOutputWriter {

    /**
     * Keeps the output of map task {@code mapId} of shuffle {@code shuffleId}, replacing an earlier output of the
     * same map task. {@code buckets[r]} is what reduce partition {@code r} reads: a {@code Map<K, C>} of combiners
     * when the map side combined, else a {@code List<Pair<K, V>>}. The caller hands over the buckets and does not
     * touch them afterwards.
     */
    MapStatus write(int shuffleId, int mapId, Object[] buckets);
}
