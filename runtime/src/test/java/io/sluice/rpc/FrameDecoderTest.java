package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The inbound codec stages (FrameDecoder, MessageDecoder) on an EmbeddedChannel, without sockets. */
class FrameDecoderTest {
    private static final int MAX = 1024;

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new FrameDecoder(MAX), new MessageDecoder());
    }

    private static ByteBuf request(long id, String endpoint, String payload) {
        return Frames.encode(new Message.RpcRequest(id, endpoint, payload.getBytes(StandardCharsets.UTF_8)), MAX);
    }

    private static void assertRequest(Object decoded, long id, String endpoint, String payload) {
        assertThat(decoded).isInstanceOf(Message.RpcRequest.class);
        var r = (Message.RpcRequest) decoded;
        assertThat(r.requestId()).isEqualTo(id);
        assertThat(r.endpoint()).isEqualTo(endpoint);
        assertThat(new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo(payload);
    }

    @Test
    void frameArrivingOneByteAtATimeIsDecodedOnceComplete() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = request(7, "echo", "hello");
        int n = frame.readableBytes();
        for (int i = 0; i < n; i++) {
            ch.writeInbound(frame.readRetainedSlice(1));
            if (i < n - 1) {
                assertThat((Object) ch.readInbound()).as("after %d of %d bytes", i + 1, n).isNull();
            }
        }
        frame.release();
        assertRequest(ch.readInbound(), 7, "echo", "hello");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void twoFramesInOneBufferGiveTwoMessages() {
        EmbeddedChannel ch = channel();
        ByteBuf both = Unpooled.buffer();
        ByteBuf a = request(1, "a", "first");
        ByteBuf b = request(2, "b", "second");
        both.writeBytes(a).writeBytes(b);
        a.release();
        b.release();
        ch.writeInbound(both);
        assertRequest(ch.readInbound(), 1, "a", "first");
        assertRequest(ch.readInbound(), 2, "b", "second");
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void oversizedFrameClosesTheConnectionNamingPeerAndLimit() {
        EmbeddedChannel ch = channel();
        ByteBuf header = Unpooled.buffer();
        header.writeInt(MAX); // with the 4 length bytes the frame is MAX + 4 bytes
        header.writeByte(Protocol.MAGIC);
        assertThatThrownBy(() -> ch.writeInbound(header))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("frame of " + (MAX + 4) + " bytes")
                .hasMessageContaining("from " + ch.remoteAddress())
                .hasMessageContaining("limit of " + MAX + " bytes")
                .hasMessageContaining("sluice.rpc.maxFrameBytes");
        assertThat(ch.isOpen()).isFalse();
        assertThat(header.refCnt()).isZero();
    }

    @Test
    void frameOfExactlyTheLimitIsAccepted() {
        EmbeddedChannel ch = channel();
        byte[] body = new byte[MAX - Protocol.MIN_FRAME_BYTES];
        ch.writeInbound(Frames.raw(Protocol.MAGIC, Protocol.VERSION, MessageType.RPC_RESPONSE.id(), 3, body));
        Message.RpcResponse r = ch.readInbound();
        assertThat(r.payload()).hasSize(body.length);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void frameShorterThanAHeaderIsCorrupt() {
        EmbeddedChannel ch = channel();
        ByteBuf b = Unpooled.buffer().writeInt(3).writeBytes(new byte[3]);
        assertThatThrownBy(() -> ch.writeInbound(b))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("shorter than a frame header");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void badMagicClosesTheConnection() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = Frames.raw(0x47, Protocol.VERSION, MessageType.RPC_REQUEST.id(), 1, new byte[4]);
        assertThatThrownBy(() -> ch.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("bad magic byte 0x47")
                .hasMessageContaining("expected 0x5c")
                .hasMessageContaining("from " + ch.remoteAddress());
        assertThat(ch.isOpen()).isFalse();
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void otherProtocolVersionClosesTheConnectionNamingBothVersions() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = Frames.raw(Protocol.MAGIC, 9, MessageType.RPC_REQUEST.id(), 1, new byte[4]);
        assertThatThrownBy(() -> ch.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("peer " + ch.remoteAddress() + " speaks Sluice RPC protocol version 9")
                .hasMessageContaining("this process speaks version " + Protocol.VERSION);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void unknownTypeClosesTheConnection() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = Frames.raw(Protocol.MAGIC, Protocol.VERSION, 42, 1, new byte[0]);
        assertThatThrownBy(() -> ch.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("unknown message type id 42 from " + ch.remoteAddress());
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void bodyShorterThanItsFieldsIsCorrupt() {
        EmbeddedChannel ch = channel();
        // an endpoint name announced as 100 bytes with only 2 present
        byte[] body = Unpooled.buffer().writeInt(100).writeShort(0).array();
        byte[] truncated = java.util.Arrays.copyOf(body, 6);
        ByteBuf frame = Frames.raw(Protocol.MAGIC, Protocol.VERSION, MessageType.RPC_REQUEST.id(), 1, truncated);
        assertThatThrownBy(() -> ch.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("string of 100 bytes");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void trailingBytesAfterABodyAreCorrupt() {
        EmbeddedChannel ch = channel();
        ByteBuf frame = Frames.raw(Protocol.MAGIC, Protocol.VERSION, MessageType.STREAM_CANCEL.id(), 5, new byte[3]);
        assertThatThrownBy(() -> ch.writeInbound(frame))
                .isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("STREAM_CANCEL frame has 3 unexpected bytes");
    }
}
