package io.sluice.rpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.Serializer;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The last inbound stage of one connection, on either side: replies and failures complete the asks this side sent
 * ({@link PendingResponses}); chunks feed the streams it opened ({@link InboundStreams}); requests, one-way messages
 * and stream requests go to the {@link InboundDispatcher}; streams this side serves ({@link OutboundStream}) are
 * resumed here when the channel becomes writable again, and cancelled when the peer asks or the connection closes.
 * When the connection closes, every outstanding ask and stream fails with {@link ConnectionClosedException}.
 *
 * <p>Stateful: one instance per channel, never shared. Threading: Netty calls it on the channel's I/O thread; the
 * package-private methods used by {@link RpcClient} and the dispatcher are thread-safe.
 */
public final class RpcChannelHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LogManager.getLogger(RpcChannelHandler.class);

    private final RpcSettings settings;
    private final Serializer serializer;
    private final InboundDispatcher dispatcher;
    private final AtomicLong nextRequestId = new AtomicLong();
    /** Streams this side is sending, by the peer's request id. */
    private final Map<Long, OutboundStream> outbound = new ConcurrentHashMap<>();
    private Channel channel;
    private volatile SocketAddress peer;
    private PendingResponses responses;
    private InboundStreams inboundStreams;
    private RpcClient client;

    RpcChannelHandler(RpcSettings settings, Serializer serializer, InboundDispatcher dispatcher) {
        this.settings = settings;
        this.serializer = serializer;
        this.dispatcher = dispatcher;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        peer = channel.remoteAddress(); // null on a client channel until it connects; set again in channelActive
        responses = new PendingResponses(this::peer, channel.eventLoop());
        inboundStreams = new InboundStreams(this::peer, id -> write(new Message.StreamCancel(id)), channel.eventLoop());
        client = new RpcClient(this, settings, serializer);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        peer = ctx.channel().remoteAddress();
        LOG.debug("Connection with {} open", peer);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Message m)) {
            ReferenceCountUtil.release(msg);
            throw new IllegalStateException("unexpected " + msg.getClass().getName() + " in the RPC pipeline from " + peer);
        }
        switch (m.type()) {
            case RPC_RESPONSE -> onResponse((Message.RpcResponse) m);
            case RPC_FAILURE -> {
                var f = (Message.RpcFailure) m;
                responses.fail(f.requestId(), new RemoteRpcException(peer, f.errorClass(), f.errorMessage()));
            }
            case RPC_REQUEST -> dispatcher.onRequest(this, (Message.RpcRequest) m);
            case ONE_WAY -> dispatcher.onOneWay(this, (Message.OneWay) m);
            case STREAM_REQUEST -> dispatcher.onStreamRequest(this, (Message.StreamRequest) m);
            // inboundStreams releases the chunk's buffer
            case STREAM_CHUNK -> inboundStreams.onChunk(m.requestId(), ((Message.StreamChunk) m).data());
            case STREAM_END -> inboundStreams.onEnd(m.requestId(), ((Message.StreamEnd) m).totalBytes());
            case STREAM_FAILURE -> {
                var f = (Message.StreamFailure) m;
                inboundStreams.fail(f.requestId(), new RemoteRpcException(peer, f.errorClass(), f.errorMessage()));
            }
            case STREAM_CANCEL -> {
                OutboundStream s = outbound.get(m.requestId());
                if (s != null) {
                    LOG.debug("{} cancelled stream request {}", peer, m.requestId());
                    s.cancel();
                }
            }
        }
    }

    private void onResponse(Message.RpcResponse r) {
        Object value;
        try {
            value = serializer.deserialize(r.payload());
        } catch (RuntimeException e) {
            responses.fail(r.requestId(), new RpcException("cannot read the reply from " + peer + ": " + e.getMessage(), e));
            return;
        }
        responses.complete(r.requestId(), value);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            outbound.values().forEach(OutboundStream::schedule);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        LOG.debug("Connection with {} closed", peer);
        var closed = new ConnectionClosedException(peer);
        responses.failAll(closed);
        inboundStreams.failAll(closed);
        outbound.values().forEach(OutboundStream::cancel);
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            int asks = responses.size();
            int streams = inboundStreams.size();
            // an idle connection is normal; an idle one that owes us answers has a dead or hung peer
            if (asks > 0 || streams > 0) {
                LOG.warn("Connection with {} saw no traffic for {} ms while {} asks and {} streams were outstanding;"
                                + " closing it as dead ({})", peer, settings.idleTimeout().toMillis(), asks, streams,
                        SluiceConf.RPC_IDLE_TIMEOUT.name());
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            // a protocol violation by the peer: the message says it all, our stack trace would not help
            LOG.warn("Closing the connection with {}: {}", peer, cause.getMessage());
        } else {
            LOG.warn("Closing the connection with {} after an unexpected error", peer, cause);
        }
        ctx.close();
    }

    // ---- used by RpcClient and InboundDispatcher; thread-safe ----

    SocketAddress peer() {
        return peer;
    }

    SocketAddress localAddress() {
        return channel.localAddress();
    }

    boolean isActive() {
        return channel.isActive();
    }

    Channel channel() {
        return channel;
    }

    RpcClient client() {
        return client;
    }

    long nextRequestId() {
        return nextRequestId.incrementAndGet();
    }

    ChannelFuture write(Message message) {
        return channel.writeAndFlush(message);
    }

    /** Registers an ask; fails it at once if the connection is already closed. */
    CompletableFuture<Object> registerAsk(long requestId, String endpoint, Duration timeout) {
        CompletableFuture<Object> f = responses.register(requestId, endpoint, timeout);
        // channelInactive fails what is registered before it runs; this catches what comes after
        if (!channel.isActive()) {
            f.completeExceptionally(new ConnectionClosedException(peer));
        }
        return f;
    }

    void failAsk(long requestId, Throwable cause) {
        responses.fail(requestId, cause);
    }

    CompletableFuture<Long> registerStream(long requestId, String streamId, StreamSink sink) {
        CompletableFuture<Long> f = inboundStreams.register(requestId, streamId, sink);
        if (!channel.isActive()) {
            failStream(requestId, new ConnectionClosedException(peer));
        }
        return f;
    }

    /** Fails a stream this side opened; on the I/O thread, where its sink is called. */
    void failStream(long requestId, Throwable cause) {
        try {
            channel.eventLoop().execute(() -> inboundStreams.fail(requestId, cause));
        } catch (RejectedExecutionException e) {
            inboundStreams.fail(requestId, cause); // the event loop is gone, so no chunk can race with this
        }
    }

    /**
     * Starts answering stream request {@code requestId} in turns on {@code pool}; the first turn opens the stream
     * through {@code provider}. Called on the I/O thread, so a cancel read after the request always finds the
     * stream. If the connection is already gone, the first turn notices and does nothing.
     */
    void startStream(long requestId, String streamId, StreamProvider provider, Executor pool) {
        var stream = new OutboundStream(requestId, streamId, provider, settings.streamChunkBytes(), channel, pool,
                () -> outbound.remove(requestId));
        outbound.put(requestId, stream);
        stream.schedule();
    }
}
