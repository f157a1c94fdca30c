package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message type through the real encoder and back through the real decoders. */
class MessageCodecTest {
    private static final int MAX = 64 * 1024;

    private static Message roundTrip(Message m) {
        ByteBuf wire = Frames.encode(m, MAX);
        var in = new EmbeddedChannel(new FrameDecoder(MAX), new MessageDecoder());
        in.writeInbound(wire);
        Message decoded = in.readInbound();
        assertThat((Object) in.readInbound()).isNull();
        assertThat(in.finish()).isFalse();
        return decoded;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void messagesWithoutBuffersRoundTrip() {
        List<Message> messages = List.of(
                new Message.RpcResponse(2, bytes("reply")),
                new Message.RpcFailure(3, "java.lang.IllegalStateException", "broken: ü"),
                new Message.RpcFailure(4, "java.lang.NullPointerException", null),
                new Message.StreamRequest(5, "shuffle_1_2_3"),
                new Message.StreamEnd(6, 52_428_800L),
                new Message.StreamFailure(7, "java.nio.file.NoSuchFileException", "/tmp/x"),
                new Message.StreamCancel(Long.MAX_VALUE));
        for (Message m : messages) {
            Message decoded = roundTrip(m);
            if (m instanceof Message.RpcResponse r) {
                assertThat(((Message.RpcResponse) decoded).payload()).isEqualTo(r.payload());
                assertThat(decoded.requestId()).isEqualTo(r.requestId());
            } else {
                assertThat(decoded).isEqualTo(m); // records without arrays compare by value
            }
        }
    }

    @Test
    void requestsAndOneWayMessagesKeepEndpointAndPayload() {
        var req = (Message.RpcRequest) roundTrip(new Message.RpcRequest(11, "executor-registry", bytes("payload")));
        assertThat(req.requestId()).isEqualTo(11);
        assertThat(req.endpoint()).isEqualTo("executor-registry");
        assertThat(req.payload()).isEqualTo(bytes("payload"));
        var one = (Message.OneWay) roundTrip(new Message.OneWay(12, "heartbeat", new byte[0]));
        assertThat(one.endpoint()).isEqualTo("heartbeat");
        assertThat(one.payload()).isEmpty();
    }

    @Test
    void streamChunkTravelsWithoutCopyAndIsReleasedByItsHolders() {
        ByteBuf data = Unpooled.directBuffer(8).writeBytes(bytes("abcdefgh"));
        var out = new EmbeddedChannel(new MessageEncoder(MAX));
        out.writeOutbound(new Message.StreamChunk(9, data));
        ByteBuf frame = out.readOutbound();
        assertThat(frame.readableBytes()).isEqualTo(Protocol.MIN_FRAME_BYTES + 8);
        var in = new EmbeddedChannel(new FrameDecoder(MAX), new MessageDecoder());
        in.writeInbound(frame); // the decoder takes over the encoder's reference
        assertThat(data.refCnt()).as("the frame, and with it the chunk, is released after decoding").isZero();
        Message.StreamChunk chunk = in.readInbound();
        assertThat(chunk.requestId()).isEqualTo(9);
        assertThat(chunk.data().toString(StandardCharsets.UTF_8)).isEqualTo("abcdefgh");
        assertThat(chunk.data().refCnt()).isEqualTo(1);
        chunk.data().release();
        assertThat(in.finish()).isFalse();
    }

    @Test
    void encoderRefusesFramesAboveTheLimitAndReleasesTheChunk() {
        var out = new EmbeddedChannel(new MessageEncoder(MAX));
        var write = out.writeOneOutbound(new Message.RpcResponse(1, new byte[MAX]));
        out.flushOutbound();
        assertThat(write.isSuccess()).isFalse();
        assertThat(write.cause()).isExactlyInstanceOf(EncoderException.class)
                .hasMessageContaining("limit of " + MAX + " bytes").hasMessageContaining("sluice.rpc.maxFrameBytes");

        ByteBuf big = Unpooled.buffer(MAX).writeZero(MAX);
        var chunkWrite = out.writeOneOutbound(new Message.StreamChunk(2, big));
        out.flushOutbound();
        assertThat(chunkWrite.cause()).isExactlyInstanceOf(EncoderException.class);
        assertThat(big.refCnt()).isZero();
        assertThat(out.finish()).isFalse();
    }
}
