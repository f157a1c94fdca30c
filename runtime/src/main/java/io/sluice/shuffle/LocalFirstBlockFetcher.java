package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import java.util.Iterator;

/**
 * Reads blocks held by this executor straight from its {@link ShuffleBlockStore} and hands every other location to
 * the remote fetcher (the transport).
 */
public final class LocalFirstBlockFetcher implements ShuffleBlockFetcher {
    private final ExecutorId self;
    private final ShuffleBlockStore local;
    private final ShuffleBlockFetcher remote;

    public LocalFirstBlockFetcher(ExecutorId self, ShuffleBlockStore local, ShuffleBlockFetcher remote) {
        this.self = self;
        this.local = local;
        this.remote = remote;
    }

    @Override
    public Iterator<byte[]> fetch(ExecutorId location, int shuffleId, int reduceId, int[] mapIds) {
        return location.equals(self) ? local.blocks(shuffleId, reduceId, mapIds)
                : remote.fetch(location, shuffleId, reduceId, mapIds);
    }
}
