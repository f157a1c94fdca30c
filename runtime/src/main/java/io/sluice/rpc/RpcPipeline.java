package io.sluice.rpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.serde.Serializer;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of every RPC connection, server or client side: reading it in order tells the protocol. */
public final class RpcPipeline {

    /** The stateless codecs every channel of one transport shares, and what the per-channel handler needs. */
    record Shared(RpcSettings settings, MessageEncoder encoder, MessageDecoder decoder, Serializer serializer,
                  InboundDispatcher dispatcher) {
    }

    private static final FrameSizeEstimator FRAME_SIZE = new FrameSizeEstimator();

    private RpcPipeline() {
    }

    /** Installs the RPC stages on {@code ch}; returns the channel's handler. */
    static RpcChannelHandler init(Channel ch, Shared shared) {
        RpcSettings s = shared.settings();
        var handler = new RpcChannelHandler(s, shared.serializer(), shared.dispatcher());
        // queued writes count against the write-buffer water marks at once: stream backpressure relies on it
        ch.config().setMessageSizeEstimator(FRAME_SIZE);
        ChannelPipeline p = ch.pipeline();
        // inbound 1: bytes → frames at the length prefix; per channel, because it buffers a partial frame
        p.addLast("frameDecoder", new FrameDecoder(s.maxFrameBytes()));
        // inbound 2: frame → Message after checking magic, version and type; shared, stateless
        p.addLast("messageDecoder", shared.decoder());
        // outbound: Message → frame; shared, stateless (outbound events pass the inbound stages untouched)
        p.addLast("messageEncoder", shared.encoder());
        // both ways: reports a connection with no reads and no writes; the handler closes it only if it owes answers
        p.addLast("idleState", new IdleStateHandler(0, 0, s.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        // inbound 3: the connection's state (pending asks, streams) and routing to endpoints; per channel
        p.addLast("rpcHandler", handler);
        return handler;
    }
}
