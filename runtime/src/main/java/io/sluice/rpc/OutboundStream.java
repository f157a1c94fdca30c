package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One stream this side is sending: reads its source a chunk at a time, only while the channel is writable, so at
 * most about one chunk per stream waits in the outbound buffer (Netty's write-buffer water marks decide when the
 * channel stops being writable; {@link RpcChannelHandler#channelWritabilityChanged} resumes the pump).
 *
 * <p>Threading: confined to the connection's I/O thread. Reading the source there is deliberate: sources are local
 * files or memory (see {@link StreamProvider}) and reading in place avoids a hand-off per chunk.
 */
final class OutboundStream {
    private static final Logger LOG = LogManager.getLogger(OutboundStream.class);
    /** Chunks sent in one turn before yielding the event loop to the other channels it serves. */
    private static final int CHUNKS_PER_TURN = 16;

    private final long requestId;
    private final String streamId;
    private final ReadableByteChannel source;
    private final int chunkBytes;
    private long sent;
    private boolean done;

    OutboundStream(long requestId, String streamId, ReadableByteChannel source, int chunkBytes) {
        this.requestId = requestId;
        this.streamId = streamId;
        this.source = source;
        this.chunkBytes = chunkBytes;
    }

    long requestId() {
        return requestId;
    }

    boolean isDone() {
        return done;
    }

    /**
     * Sends chunks while {@code channel} is writable, and the end (or a failure) when the source is exhausted.
     * Returns true when the stream needs another turn right away (it yielded while the channel was still writable).
     */
    boolean pump(Channel channel) {
        int chunks = 0;
        while (!done && channel.isWritable()) {
            if (chunks++ == CHUNKS_PER_TURN) {
                return true;
            }
            // this buffer is released by the socket write (the encoder passes its reference on), or below
            ByteBuf buf = channel.alloc().ioBuffer(chunkBytes, chunkBytes);
            boolean eof;
            try {
                eof = fill(buf);
            } catch (IOException | RuntimeException e) {
                buf.release();
                LOG.warn("Reading stream '{}' for {} failed after {} bytes", streamId, channel.remoteAddress(), sent, e);
                channel.writeAndFlush(new Message.StreamFailure(requestId, e.getClass().getName(),
                        "reading stream '" + streamId + "' failed after " + sent + " bytes: " + e.getMessage()));
                close();
                return false;
            }
            if (buf.isReadable()) {
                sent += buf.readableBytes();
                channel.writeAndFlush(new Message.StreamChunk(requestId, buf)).addListener(f -> {
                    if (!f.isSuccess() && channel.isActive()) {
                        LOG.warn("Writing a chunk of stream '{}' to {} failed", streamId, channel.remoteAddress(), f.cause());
                        channel.close();
                    }
                });
            } else {
                buf.release();
            }
            if (eof) {
                channel.writeAndFlush(new Message.StreamEnd(requestId, sent));
                LOG.debug("Sent stream '{}' ({} bytes) to {}", streamId, sent, channel.remoteAddress());
                close();
            }
        }
        return false;
    }

    /** Fills {@code buf} to its capacity from the source, so that every chunk but the last is full; true at the end. */
    private boolean fill(ByteBuf buf) throws IOException {
        ByteBuffer nio = buf.nioBuffer(buf.writerIndex(), buf.writableBytes());
        int before = nio.position();
        boolean eof = false;
        while (nio.hasRemaining()) {
            int n = source.read(nio);
            if (n < 0) {
                eof = true;
                break;
            }
            if (n == 0) {
                break; // a non-blocking source with nothing now: send what we have, come back next turn
            }
        }
        buf.writerIndex(buf.writerIndex() + nio.position() - before);
        return eof;
    }

    /** Stops the stream (done, cancelled by the receiver, or connection gone) and closes its source; idempotent. */
    void close() {
        if (done) {
            return;
        }
        done = true;
        try {
            source.close();
        } catch (IOException e) {
            LOG.warn("Closing the source of stream '{}' failed", streamId, e);
        }
    }
}
