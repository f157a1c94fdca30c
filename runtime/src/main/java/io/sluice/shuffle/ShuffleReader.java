package io.sluice.shuffle;

import java.util.Iterator;

/** The read side of shuffles: the map outputs of one reduce partition, wherever they are kept. */
public interface ShuffleReader {

    /**
     * The buckets the map tasks of {@code shuffleId} wrote for {@code reducePartition}, in map order; empty buckets
     * may be left out. Each is a {@code Map<K, C>} of combiners or a {@code List<Pair<K, V>>} (see
     * {@link MapOutputWriter#write}); readers must not modify them, since a recomputed reduce partition reads them
     * again. Fails with an {@link IllegalStateException} naming the shuffle and map when an output is missing.
     */
    Iterator<Object> buckets(int shuffleId, int reducePartition);
}
