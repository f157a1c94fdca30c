package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The streams one connection asked its peer for and is receiving: request id → sink and future. Chunks go to the
 * sink as they arrive and are released right after, so a stream never accumulates in memory here.
 *
 * <p>Threading: {@link #register} is called by the opening thread; everything else on the connection's I/O thread,
 * which is where sinks run and futures complete.
 */
final class InboundStreams {
    private static final Logger LOG = LogManager.getLogger(InboundStreams.class);

    private static final class Receiving {
        final String streamId;
        final StreamSink sink;
        final CompletableFuture<Long> future = new CompletableFuture<>();
        long bytes;

        Receiving(String streamId, StreamSink sink) {
            this.streamId = streamId;
            this.sink = sink;
        }
    }

    private final Map<Long, Receiving> streams = new ConcurrentHashMap<>();
    private final Supplier<SocketAddress> peer;
    private final LongConsumer cancel;
    private final Executor ioThread;

    /**
     * {@code cancel} tells the peer to stop sending a stream this side gave up on; {@code ioThread} is the
     * connection's event loop, where sinks are called.
     */
    InboundStreams(Supplier<SocketAddress> peer, LongConsumer cancel, Executor ioThread) {
        this.peer = peer;
        this.cancel = cancel;
        this.ioThread = ioThread;
    }

    CompletableFuture<Long> register(long requestId, String streamId, StreamSink sink) {
        var r = new Receiving(streamId, sink);
        streams.put(requestId, r);
        r.future.whenComplete((v, e) -> {
            if (streams.remove(requestId, r) && e instanceof CancellationException) {
                // the caller cancelled the future: stop the sender and let the sink clean up, on the I/O thread so
                // that the sink is never called concurrently with a chunk
                Runnable stop = () -> {
                    cancel.accept(requestId);
                    r.sink.onFailure(e);
                };
                try {
                    ioThread.execute(stop);
                } catch (RejectedExecutionException rejected) {
                    stop.run(); // the event loop is gone: no chunk can race with this any more
                }
            }
        });
        return r.future;
    }

    /** Hands a chunk to its sink and releases it (this method owns {@code data}). */
    void onChunk(long requestId, ByteBuf data) {
        try {
            Receiving r = streams.get(requestId);
            if (r == null) {
                // a chunk in flight when the stream was cancelled or failed
                LOG.debug("Dropping chunk of {} bytes from {} for stream request {} that is no longer open",
                        data.readableBytes(), peer.get(), requestId);
                return;
            }
            int n = data.readableBytes();
            try {
                r.sink.onChunk(data.nioBuffer());
                r.bytes += n;
            } catch (Exception | Error e) {
                var failure = new RpcException("sink of stream '" + r.streamId + "' from " + peer.get()
                        + " failed after " + r.bytes + " bytes: " + e, e);
                cancel.accept(requestId);
                fail(requestId, failure);
            }
        } finally {
            data.release();
        }
    }

    void onEnd(long requestId, long totalBytes) {
        Receiving r = streams.get(requestId);
        if (r == null) {
            return;
        }
        if (r.bytes != totalBytes) {
            fail(requestId, new RpcException("stream '" + r.streamId + "' from " + peer.get() + " ended after "
                    + r.bytes + " bytes received, but the sender sent " + totalBytes));
            return;
        }
        try {
            r.sink.onComplete(totalBytes);
        } catch (Exception e) {
            fail(requestId, new RpcException("sink of stream '" + r.streamId + "' from " + peer.get()
                    + " failed to complete: " + e, e));
            return;
        }
        streams.remove(requestId, r);
        r.future.complete(totalBytes);
    }

    /** Ends the stream with {@code cause}: the sink hears it once, then the future fails. */
    void fail(long requestId, Throwable cause) {
        Receiving r = streams.remove(requestId);
        if (r == null) {
            return;
        }
        try {
            r.sink.onFailure(cause);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
        r.future.completeExceptionally(cause);
    }

    void failAll(Throwable cause) {
        for (Long id : streams.keySet()) {
            fail(id, cause);
        }
    }

    int size() {
        return streams.size();
    }
}
