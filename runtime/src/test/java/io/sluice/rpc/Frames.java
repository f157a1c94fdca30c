package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

/** Builds raw frames for codec tests, including ones a correct peer never sends. */
final class Frames {
    private Frames() {
    }

    /** A frame with the given header fields and body; {@code length} is computed. */
    static ByteBuf raw(int magic, int version, int type, long requestId, byte[] body) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(Protocol.HEADER_BYTES + body.length);
        b.writeByte(magic);
        b.writeByte(version);
        b.writeByte(type);
        b.writeLong(requestId);
        b.writeBytes(body);
        return b;
    }

    /** What the real encoder writes for {@code m}, as one heap buffer. */
    static ByteBuf encode(Message m, int maxFrameBytes) {
        var ch = new EmbeddedChannel(new MessageEncoder(maxFrameBytes));
        ch.writeOutbound(m);
        ByteBuf out = Unpooled.buffer();
        ByteBuf part;
        while ((part = ch.readOutbound()) != null) {
            out.writeBytes(part);
            part.release();
        }
        ch.finishAndReleaseAll();
        return out;
    }
}
