package io.sluice.rpc;

import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;

/**
 * Tells Netty how many bytes a queued {@link Message} will take on the wire, so that writes count against the
 * channel's write-buffer water marks from the moment they are submitted (also from threads other than the event
 * loop), not only once encoded. Stream backpressure ({@link OutboundStream}) depends on it.
 *
 * <p>Stateless and thread-safe.
 */
final class FrameSizeEstimator implements MessageSizeEstimator {
    private static final Handle HANDLE = msg -> msg instanceof Message m
            ? Protocol.MIN_FRAME_BYTES + m.bodyLength()
            : DefaultMessageSizeEstimator.DEFAULT.newHandle().size(msg);

    @Override
    public Handle newHandle() {
        return HANDLE;
    }
}
