package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.sluice.conf.SluiceConf;

/**
 * Cuts the byte stream into frames at the {@code length:int32} prefix and strips it, so the next stage sees
 * {@code magic | version | type | requestId | body}. A frame larger than {@code sluice.rpc.maxFrameBytes} (counting
 * the length field) or shorter than a header means a broken or hostile peer: the connection is closed and a
 * {@link TooLongFrameException} / {@link CorruptedFrameException} naming the peer and the limit is raised.
 *
 * <p>Stateful (it buffers a partial frame): one instance per channel. Emitted frames are owned by the next stage.
 */
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    private final int maxFrameBytes;

    public FrameDecoder(int maxFrameBytes) {
        // the length field counts the bytes after itself, so no adjustment; strip the 4 length bytes
        super(maxFrameBytes, 0, Protocol.LENGTH_FIELD_BYTES, 0, Protocol.LENGTH_FIELD_BYTES, true);
        if (maxFrameBytes < Protocol.MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " is below the smallest frame ("
                    + Protocol.MIN_FRAME_BYTES + " bytes)");
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        // Check the length ourselves, before the superclass, so the error names the peer and the key to change.
        if (in.readableBytes() >= Protocol.LENGTH_FIELD_BYTES) {
            long frameBytes = in.getUnsignedInt(in.readerIndex()) + Protocol.LENGTH_FIELD_BYTES;
            if (frameBytes > maxFrameBytes) {
                in.skipBytes(in.readableBytes());
                ctx.close();
                throw new TooLongFrameException("frame of " + frameBytes + " bytes from " + ctx.channel().remoteAddress()
                        + " exceeds the limit of " + maxFrameBytes + " bytes (" + SluiceConf.RPC_MAX_FRAME_BYTES.name()
                        + "); connection closed");
            }
            if (frameBytes < Protocol.MIN_FRAME_BYTES) {
                in.skipBytes(in.readableBytes());
                ctx.close();
                throw new CorruptedFrameException("frame of " + frameBytes + " bytes from " + ctx.channel().remoteAddress()
                        + " is shorter than a frame header (" + Protocol.MIN_FRAME_BYTES + " bytes); connection closed");
            }
        }
        return super.decode(ctx, in);
    }
}
