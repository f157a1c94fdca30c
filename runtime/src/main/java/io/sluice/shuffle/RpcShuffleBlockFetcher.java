package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import io.sluice.executor.TaskMessages.ShuffleStreams;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.rpc.StreamSink;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Fetches shuffle blocks held by another executor over the transport: one stream per call
 * ({@link ShuffleStreams#streamId}), served by that executor from its {@link ShuffleBlockStore} as a
 * {@link ShuffleBlockChannel}. The stream starts at once, so fetches from several locations overlap; its blocks are
 * queued as they arrive and {@code next()} waits for the next one at most {@code timeout}. Any failure — an unknown
 * location, a connection that cannot be opened or closes, the holder no longer having a block, the timeout — is a
 * {@link ShuffleFetchException} naming the first block not received and the location.
 */
public final class RpcShuffleBlockFetcher implements ShuffleBlockFetcher {
    private static final Object END = new Object();

    private final RpcClientFactory clients;
    private final Function<ExecutorId, InetSocketAddress> addresses;
    private final Duration timeout;

    /**
     * @param addresses the RPC address of an executor, or null if unknown
     * @param timeout   how long {@code next()} waits for a block
     */
    public RpcShuffleBlockFetcher(RpcClientFactory clients, Function<ExecutorId, InetSocketAddress> addresses,
                                  Duration timeout) {
        this.clients = clients;
        this.addresses = addresses;
        this.timeout = timeout;
    }

    @Override
    public Iterator<byte[]> fetch(ExecutorId location, int shuffleId, int reduceId, int[] mapIds) {
        BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        InetSocketAddress address = addresses.apply(location);
        if (address == null) {
            arrived.add(new IllegalStateException("the address of executor " + location + " is not known (lost?)"));
        } else {
            String streamId = ShuffleStreams.streamId(shuffleId, reduceId, mapIds);
            CompletableFuture<Long> done = clients.clientAsync(address)
                    .thenCompose(client -> client.openStream(streamId, new BlockSink(arrived)));
            done.whenComplete((bytes, failure) -> {
                if (failure != null) {
                    arrived.add(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        }
        return new Iterator<>() {
            int next;
            Throwable failed;

            @Override
            public boolean hasNext() {
                return next < mapIds.length;
            }

            @Override
            public byte[] next() {
                if (next >= mapIds.length) {
                    throw new NoSuchElementException();
                }
                int mapId = mapIds[next];
                if (failed != null) {
                    throw fetchFailure(mapId, failed);
                }
                Object item;
                try {
                    item = arrived.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw fetchFailure(mapId, e);
                }
                if (item == null) {
                    failed = new java.util.concurrent.TimeoutException("no block within " + timeout.toMillis() + " ms");
                } else if (item == END) {
                    failed = new IllegalStateException("the stream ended after " + next + " of " + mapIds.length + " blocks");
                } else if (item instanceof Throwable t) {
                    failed = t;
                } else {
                    next++;
                    return (byte[]) item;
                }
                throw fetchFailure(mapId, failed);
            }

            private ShuffleFetchException fetchFailure(int mapId, Throwable cause) {
                return new ShuffleFetchException(location, shuffleId, mapId, reduceId,
                        (address == null ? "" : "from " + address + ": ") + cause.getMessage(), cause);
            }
        };
    }

    /** Splits the stream into blocks (int32 length, then the bytes); runs on the connection's I/O thread. */
    private static final class BlockSink implements StreamSink {
        private final BlockingQueue<Object> arrived;
        private final ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
        private byte[] block;
        private int filled;

        BlockSink(BlockingQueue<Object> arrived) {
            this.arrived = arrived;
        }

        @Override
        public void onChunk(ByteBuffer chunk) {
            while (chunk.hasRemaining()) {
                if (block == null) {
                    while (header.hasRemaining() && chunk.hasRemaining()) {
                        header.put(chunk.get());
                    }
                    if (header.hasRemaining()) {
                        return;
                    }
                    header.flip();
                    block = new byte[header.getInt()];
                    header.clear();
                    filled = 0;
                }
                int n = Math.min(block.length - filled, chunk.remaining());
                chunk.get(block, filled, n);
                filled += n;
                if (filled == block.length) {
                    arrived.add(block);
                    block = null;
                }
            }
        }

        @Override
        public void onComplete(long totalBytes) {
            if (block != null && filled == block.length) {
                arrived.add(block); // an empty last block (length 0) has no body chunk
                block = null;
            }
            arrived.add(END);
        }
    }
}
