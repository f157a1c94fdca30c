package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.sluice.conf.SluiceConf;
import java.util.List;

/**
 * Writes a {@link Message} as one frame. A frame above {@code sluice.rpc.maxFrameBytes} fails its write (and so the
 * ask that sent it) here, with a message naming the limit, instead of making the peer drop the connection.
 *
 * <p>Stateless and {@link Sharable}. Buffer ownership: a {@link Message.StreamChunk}'s data is not copied; its
 * reference moves into the outgoing composite buffer, which the socket write releases.
 */
@ChannelHandler.Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    private final int maxFrameBytes;

    public MessageEncoder(int maxFrameBytes) {
        super(Message.class);
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        ByteBuf chunkData = msg instanceof Message.StreamChunk c ? c.data() : null;
        try {
            int bodyLength = msg.bodyLength();
            long frameBytes = (long) Protocol.MIN_FRAME_BYTES + bodyLength;
            if (frameBytes > maxFrameBytes) {
                // an EncoderException, so that Netty hands it to the write's promise unwrapped
                throw new EncoderException(msg.type() + " frame of " + frameBytes + " bytes to "
                        + ctx.channel().remoteAddress() + " exceeds the limit of " + maxFrameBytes + " bytes ("
                        + SluiceConf.RPC_MAX_FRAME_BYTES.name() + "); send large data as a stream");
            }
            int headerBytes = Protocol.MIN_FRAME_BYTES + (chunkData == null ? bodyLength : 0);
            ByteBuf header = ctx.alloc().buffer(headerBytes);
            header.writeInt(Protocol.HEADER_BYTES + bodyLength);
            header.writeByte(Protocol.MAGIC);
            header.writeByte(Protocol.VERSION);
            header.writeByte(msg.type().id());
            header.writeLong(msg.requestId());
            if (chunkData == null) {
                msg.encodeBody(header);
            }
            if (header.readableBytes() != headerBytes) {
                header.release();
                throw new EncoderException(msg.type() + ": wrote " + header.readableBytes() + " bytes, announced " + headerBytes);
            }
            if (chunkData == null) {
                out.add(header);
            } else {
                CompositeByteBuf frame = ctx.alloc().compositeBuffer(2);
                // the composite takes over both references; the socket write releases it
                frame.addComponents(true, header, chunkData);
                chunkData = null;
                out.add(frame);
            }
        } finally {
            if (chunkData != null) {
                chunkData.release(); // failed before handing the chunk on: we still own it
            }
        }
    }
}
