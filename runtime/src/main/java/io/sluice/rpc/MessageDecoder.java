package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns a frame (length already stripped by {@link FrameDecoder}) into a {@link Message}. A wrong magic byte, a
 * different protocol version or an unknown type closes the connection with an error naming the peer: there is no
 * way to resynchronize a byte stream after a frame we do not understand.
 *
 * <p>Stateless and {@link Sharable}: one instance serves every channel. Buffer ownership: the superclass releases
 * the frame after {@link #decode}; every message keeps heap copies, except {@link Message.StreamChunk}, which keeps a
 * retained slice that its handler releases.
 */
@ChannelHandler.Sharable
public final class MessageDecoder extends MessageToMessageDecoder<ByteBuf> {

    public MessageDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        try {
            out.add(decodeFrame(frame, ctx));
        } catch (CorruptedFrameException e) {
            ctx.close();
            throw e;
        } catch (IndexOutOfBoundsException e) {
            ctx.close();
            throw new CorruptedFrameException("truncated frame body from " + ctx.channel().remoteAddress()
                    + "; connection closed: " + e.getMessage(), e);
        }
    }

    private static Message decodeFrame(ByteBuf frame, ChannelHandlerContext ctx) {
        if (frame.readableBytes() < Protocol.HEADER_BYTES) {
            throw new CorruptedFrameException("frame of " + frame.readableBytes() + " bytes from "
                    + ctx.channel().remoteAddress() + " is shorter than the header; connection closed");
        }
        byte magic = frame.readByte();
        if (magic != Protocol.MAGIC) {
            throw new CorruptedFrameException(String.format(
                    "bad magic byte 0x%02x from %s (expected 0x%02x): the peer does not speak Sluice RPC; connection closed",
                    magic & 0xff, ctx.channel().remoteAddress(), Protocol.MAGIC & 0xff));
        }
        byte version = frame.readByte();
        if (version != Protocol.VERSION) {
            throw new CorruptedFrameException("peer " + ctx.channel().remoteAddress() + " speaks Sluice RPC protocol version "
                    + version + ", this process speaks version " + Protocol.VERSION
                    + "; connection closed (run the same Sluice version on driver and executors)");
        }
        byte typeId = frame.readByte();
        MessageType type;
        try {
            type = MessageType.fromId(typeId);
        } catch (CorruptedFrameException e) {
            throw new CorruptedFrameException("unknown message type id " + typeId + " from " + ctx.channel().remoteAddress()
                    + "; connection closed");
        }
        long requestId = frame.readLong();
        return Message.decode(type, requestId, frame);
    }
}
