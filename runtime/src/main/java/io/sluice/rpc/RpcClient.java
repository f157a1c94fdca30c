package io.sluice.rpc;

import io.sluice.serde.Serializer;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Sends asks, one-way messages and stream requests over one connection. Obtained from {@link RpcClientFactory}
 * (outgoing connections) or from {@link RpcCallContext#connection()} (to answer back on an incoming one).
 *
 * <p>Threading: all methods are thread-safe and never block; messages are serialized on the calling thread.
 * Returned futures complete on the connection's I/O thread, so dependent stages must not block (use the
 * {@code ...Async} variants of {@link CompletableFuture} for anything slow). Once the connection is closed every
 * call fails with {@link ConnectionClosedException}; get a new client from the factory.
 */
public final class RpcClient implements AutoCloseable {
    private final RpcChannelHandler handler;
    private final RpcSettings settings;
    private final Serializer serializer;

    RpcClient(RpcChannelHandler handler, RpcSettings settings, Serializer serializer) {
        this.handler = handler;
        this.settings = settings;
        this.serializer = serializer;
    }

    /** {@link #ask(String, Object, Duration)} with {@code sluice.rpc.askTimeout}. */
    public <T> CompletableFuture<T> ask(String endpoint, Object message) {
        return ask(endpoint, message, settings.askTimeout());
    }

    /**
     * Sends {@code message} to {@code endpoint} at the peer and returns its reply. The future fails with
     * {@link RemoteRpcException} when the endpoint threw, {@link RpcTimeoutException} after {@code timeout},
     * {@link ConnectionClosedException} when the connection closes first, or the serializer's exception. Cancelling
     * the future forgets the ask (a late reply is dropped).
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> ask(String endpoint, Object message, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(timeout, "timeout");
        byte[] payload;
        try {
            payload = serializer.serialize(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long id = handler.nextRequestId();
        CompletableFuture<Object> reply = handler.registerAsk(id, endpoint, timeout);
        handler.write(new Message.RpcRequest(id, endpoint, payload)).addListener(f -> {
            if (!f.isSuccess()) {
                handler.failAsk(id, writeFailure("ask to endpoint '" + endpoint + "'", f.cause()));
            }
        });
        return (CompletableFuture<T>) reply;
    }

    /**
     * Sends {@code message} to {@code endpoint} without expecting a reply. The future completes once the message
     * is written to the socket (not when it is handled), or fails if it could not be.
     */
    public CompletableFuture<Void> send(String endpoint, Object message) {
        Objects.requireNonNull(endpoint, "endpoint");
        byte[] payload;
        try {
            payload = serializer.serialize(message);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        var written = new CompletableFuture<Void>();
        handler.write(new Message.OneWay(handler.nextRequestId(), endpoint, payload)).addListener(f -> {
            if (f.isSuccess()) {
                written.complete(null);
            } else {
                written.completeExceptionally(writeFailure("message to endpoint '" + endpoint + "'", f.cause()));
            }
        });
        return written;
    }

    /**
     * Asks the peer's {@link StreamProvider} for stream {@code streamId} and feeds it to {@code sink} chunk by chunk
     * (each at most {@code sluice.rpc.streamChunkBytes}). The future completes with the number of bytes after
     * {@link StreamSink#onComplete}, or fails (after {@link StreamSink#onFailure}) with {@link RemoteRpcException},
     * {@link ConnectionClosedException} or the sink's own failure. Cancelling the future stops the sender.
     */
    public CompletableFuture<Long> openStream(String streamId, StreamSink sink) {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(sink, "sink");
        long id = handler.nextRequestId();
        CompletableFuture<Long> done = handler.registerStream(id, streamId, sink);
        handler.write(new Message.StreamRequest(id, streamId)).addListener(f -> {
            if (!f.isSuccess()) {
                handler.failStream(id, writeFailure("request for stream '" + streamId + "'", f.cause()));
            }
        });
        return done;
    }

    private Throwable writeFailure(String what, Throwable cause) {
        if (!handler.isActive()) {
            return new ConnectionClosedException(handler.peer());
        }
        return new RpcException("cannot send " + what + " to " + handler.peer() + ": " + cause.getMessage(), cause);
    }

    public SocketAddress remoteAddress() {
        return handler.peer();
    }

    public SocketAddress localAddress() {
        return handler.localAddress();
    }

    public boolean isActive() {
        return handler.isActive();
    }

    /** Completes when the connection has closed, for whatever reason. */
    public CompletableFuture<Void> closeFuture() {
        var closed = new CompletableFuture<Void>();
        handler.channel().closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    /** Closes the connection; outstanding asks and streams fail with {@link ConnectionClosedException}. Idempotent. */
    @Override
    public void close() {
        handler.channel().close();
    }

    @Override
    public String toString() {
        return "RpcClient[" + handler.peer() + (isActive() ? "" : ", closed") + "]";
    }
}
