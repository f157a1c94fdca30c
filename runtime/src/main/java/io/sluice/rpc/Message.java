package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * One decoded frame. Every message knows its {@link MessageType}, its request id (which ties responses, failures
 * and stream chunks to what they answer) and how to write its body. Payloads of asks and one-way messages are
 * already serialized ({@code byte[]}) so that the codec never runs user serialization on the I/O thread by surprise.
 */
public sealed interface Message {

    MessageType type();

    long requestId();

    /** Bytes {@link #encodeBody} writes. */
    int bodyLength();

    void encodeBody(ByteBuf out);

    /** Reads the body of a frame whose header named {@code type}; the frame buffer stays owned by the caller. */
    static Message decode(MessageType type, long requestId, ByteBuf body) {
        Message m = switch (type) {
            case RPC_REQUEST -> new RpcRequest(requestId, Protocol.readString(body), Protocol.readRemaining(body));
            case RPC_RESPONSE -> new RpcResponse(requestId, Protocol.readRemaining(body));
            case RPC_FAILURE -> new RpcFailure(requestId, Protocol.readString(body), Protocol.readString(body));
            case ONE_WAY -> new OneWay(requestId, Protocol.readString(body), Protocol.readRemaining(body));
            case STREAM_REQUEST -> new StreamRequest(requestId, Protocol.readString(body));
            // the chunk keeps a retained slice of the frame; whoever handles the chunk releases it
            case STREAM_CHUNK -> new StreamChunk(requestId, body.readRetainedSlice(body.readableBytes()));
            case STREAM_END -> new StreamEnd(requestId, body.readLong());
            case STREAM_FAILURE -> new StreamFailure(requestId, Protocol.readString(body), Protocol.readString(body));
            case STREAM_CANCEL -> new StreamCancel(requestId);
        };
        if (body.isReadable()) {
            if (m instanceof StreamChunk c) {
                c.data().release();
            }
            throw new CorruptedFrameException(type + " frame has " + body.readableBytes() + " unexpected bytes after its body");
        }
        return m;
    }

    /** An ask to {@code endpoint}; {@code payload} is the serialized message. */
    record RpcRequest(long requestId, String endpoint, byte[] payload) implements Message {
        @Override
        public MessageType type() {
            return MessageType.RPC_REQUEST;
        }

        @Override
        public int bodyLength() {
            return Protocol.stringLength(endpoint) + payload.length;
        }

        @Override
        public void encodeBody(ByteBuf out) {
            Protocol.writeString(out, endpoint);
            out.writeBytes(payload);
        }

        @Override
        public String toString() {
            return "RpcRequest[" + requestId + " to '" + endpoint + "', " + payload.length + " bytes]";
        }
    }

    /** The serialized reply to request {@code requestId}. */
    record RpcResponse(long requestId, byte[] payload) implements Message {
        @Override
        public MessageType type() {
            return MessageType.RPC_RESPONSE;
        }

        @Override
        public int bodyLength() {
            return payload.length;
        }

        @Override
        public void encodeBody(ByteBuf out) {
            out.writeBytes(payload);
        }

        @Override
        public String toString() {
            return "RpcResponse[" + requestId + ", " + payload.length + " bytes]";
        }
    }

    /**
     * The endpoint failed: the exception's class name and message travel as text, so a failure reaches the caller
     * even when the exception itself could not be serialized or its class is unknown there.
     */
    record RpcFailure(long requestId, String errorClass, String errorMessage) implements Message {
        @Override
        public MessageType type() {
            return MessageType.RPC_FAILURE;
        }

        @Override
        public int bodyLength() {
            return Protocol.stringLength(errorClass) + Protocol.stringLength(errorMessage);
        }

        @Override
        public void encodeBody(ByteBuf out) {
            Protocol.writeString(out, errorClass);
            Protocol.writeString(out, errorMessage);
        }
    }

    /** A message without reply to {@code endpoint}; the request id only identifies it in logs. */
    record OneWay(long requestId, String endpoint, byte[] payload) implements Message {
        @Override
        public MessageType type() {
            return MessageType.ONE_WAY;
        }

        @Override
        public int bodyLength() {
            return Protocol.stringLength(endpoint) + payload.length;
        }

        @Override
        public void encodeBody(ByteBuf out) {
            Protocol.writeString(out, endpoint);
            out.writeBytes(payload);
        }

        @Override
        public String toString() {
            return "OneWay[" + requestId + " to '" + endpoint + "', " + payload.length + " bytes]";
        }
    }

    /** Asks the peer to send stream {@code streamId}; chunks and the end carry this request id. */
    record StreamRequest(long requestId, String streamId) implements Message {
        @Override
        public MessageType type() {
            return MessageType.STREAM_REQUEST;
        }

        @Override
        public int bodyLength() {
            return Protocol.stringLength(streamId);
        }

        @Override
        public void encodeBody(ByteBuf out) {
            Protocol.writeString(out, streamId);
        }
    }

    /**
     * One piece of a stream. {@code data} is reference-counted and owned by the holder of this message: the encoder
     * passes it on to the socket write (which releases it), the receiving handler releases it after the sink ran.
     */
    record StreamChunk(long requestId, ByteBuf data) implements Message {
        @Override
        public MessageType type() {
            return MessageType.STREAM_CHUNK;
        }

        @Override
        public int bodyLength() {
            return data.readableBytes();
        }

        /** Copies the data; the encoder avoids this by writing {@link #data} after the header without copying. */
        @Override
        public void encodeBody(ByteBuf out) {
            out.writeBytes(data, data.readerIndex(), data.readableBytes());
        }

        @Override
        public String toString() {
            return "StreamChunk[" + requestId + ", " + data.readableBytes() + " bytes]";
        }
    }

    /** The stream is complete; {@code totalBytes} lets the receiver check that it got everything. */
    record StreamEnd(long requestId, long totalBytes) implements Message {
        @Override
        public MessageType type() {
            return MessageType.STREAM_END;
        }

        @Override
        public int bodyLength() {
            return 8;
        }

        @Override
        public void encodeBody(ByteBuf out) {
            out.writeLong(totalBytes);
        }
    }

    /** The stream could not be opened or read; chunks already sent are not valid on their own. */
    record StreamFailure(long requestId, String errorClass, String errorMessage) implements Message {
        @Override
        public MessageType type() {
            return MessageType.STREAM_FAILURE;
        }

        @Override
        public int bodyLength() {
            return Protocol.stringLength(errorClass) + Protocol.stringLength(errorMessage);
        }

        @Override
        public void encodeBody(ByteBuf out) {
            Protocol.writeString(out, errorClass);
            Protocol.writeString(out, errorMessage);
        }
    }

    /** The receiver no longer wants stream {@code requestId}. */
    record StreamCancel(long requestId) implements Message {
        @Override
        public MessageType type() {
            return MessageType.STREAM_CANCEL;
        }

        @Override
        public int bodyLength() {
            return 0;
        }

        @Override
        public void encodeBody(ByteBuf out) {
        }
    }
}
