package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.CorruptedFrameException;
import java.nio.charset.StandardCharsets;

/**
 * The wire format of one frame:
 *
 * <pre>
 * length:int32 | magic:byte | version:byte | type:byte | requestId:int64 | body
 * </pre>
 *
 * {@code length} counts the bytes after itself (header and body). Bodies are defined per {@link MessageType} by the
 * records in {@link Message}; strings inside bodies are {@code int32 length | UTF-8 bytes}, length -1 for null.
 */
final class Protocol {
    /** The first byte after the length: tells a Sluice RPC peer from anything else that connects. */
    static final byte MAGIC = (byte) 0x5C;
    /** Bump on any incompatible change of the frame or a body layout; peers of different versions refuse each other. */
    static final byte VERSION = 1;
    static final int LENGTH_FIELD_BYTES = 4;
    /** magic, version, type and request id: the part of the header after the length field. */
    static final int HEADER_BYTES = 1 + 1 + 1 + 8;
    /** The smallest frame: length field and header with an empty body. */
    static final int MIN_FRAME_BYTES = LENGTH_FIELD_BYTES + HEADER_BYTES;

    private Protocol() {
    }

    static int stringLength(String s) {
        return 4 + (s == null ? 0 : ByteBufUtil.utf8Bytes(s));
    }

    static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(ByteBufUtil.utf8Bytes(s));
        ByteBufUtil.writeUtf8(out, s);
    }

    static String readString(ByteBuf in) {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.readableBytes()) {
            throw new CorruptedFrameException("string of " + n + " bytes in a body with " + in.readableBytes() + " bytes left");
        }
        String s = in.toString(in.readerIndex(), n, StandardCharsets.UTF_8);
        in.skipBytes(n);
        return s;
    }

    static byte[] readRemaining(ByteBuf in) {
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        return bytes;
    }
}
