package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import java.util.Iterator;

/**
 * Gets serialized shuffle blocks from the process that holds them: the one interface through which reducers read,
 * whether the blocks are in their own executor's {@link ShuffleBlockStore} or, through the transport, in another's.
 */
@FunctionalInterface
public interface ShuffleBlockFetcher {

    /**
     * The blocks {@code (shuffleId, m, reduceId)} for each {@code m} of {@code mapIds}, held by {@code location},
     * in the order of {@code mapIds}. An implementation may fetch ahead asynchronously from this call on;
     * {@code next()} blocks until its block is there, and throws a {@link ShuffleFetchException} naming the block
     * and the location when it cannot be had.
     */
    Iterator<byte[]> fetch(ExecutorId location, int shuffleId, int reduceId, int[] mapIds);
}
