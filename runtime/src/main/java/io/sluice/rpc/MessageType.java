package io.sluice.rpc;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * The kinds of RPC frames, each with a fixed byte id on the wire. Ids are part of the protocol: never renumber or
 * reuse one; a new kind gets a new id (and peers that do not know it reject the frame).
 */
public enum MessageType {
    /** An ask to a named endpoint; answered by {@link #RPC_RESPONSE} or {@link #RPC_FAILURE} with the same request id. */
    RPC_REQUEST(1),
    RPC_RESPONSE(2),
    /** The endpoint threw: carries the exception's class name and message. */
    RPC_FAILURE(3),
    /** A message to a named endpoint that gets no reply. */
    ONE_WAY(4),
    /** Asks the peer for a stream by id; answered by chunks and then an end or a failure. */
    STREAM_REQUEST(5),
    STREAM_CHUNK(6),
    STREAM_END(7),
    STREAM_FAILURE(8),
    /** The receiver of a stream gives up on it (its sink failed); the sender stops reading the source. */
    STREAM_CANCEL(9);

    private static final MessageType[] BY_ID = new MessageType[128];

    static {
        for (MessageType t : values()) {
            if (BY_ID[t.id] != null) {
                throw new ExceptionInInitializerError("message type id " + t.id + " used twice");
            }
            BY_ID[t.id] = t;
        }
    }

    private final byte id;

    MessageType(int id) {
        this.id = (byte) id;
    }

    public byte id() {
        return id;
    }

    /** The type with this wire id; an unknown id means a corrupt frame or a newer peer. */
    public static MessageType fromId(byte id) {
        MessageType t = id >= 0 ? BY_ID[id] : null;
        if (t == null) {
            throw new CorruptedFrameException("unknown message type id " + id);
        }
        return t;
    }
}
