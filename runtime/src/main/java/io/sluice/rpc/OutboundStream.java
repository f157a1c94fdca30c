package io.sluice.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One stream this side is sending. It reads its source a chunk at a time, and only while the channel is
 * writable. Each queued write counts against the channel's write-buffer water marks as soon as it is submitted
 * (see {@link FrameSizeEstimator}), so at most about one chunk per stream is buffered at a time.
 * {@link RpcChannelHandler#channelWritabilityChanged} resumes the stream when the buffer has drained.
 *
 * <p>Threading: turns run on the dispatcher pool, one at a time per stream: {@link #schedule} hands out a turn
 * only when none is queued or running. Disk reads therefore never block an I/O thread, and the event loop keeps
 * handling reads between chunks (for example a {@link Message.StreamCancel}). The first turn opens the source, so a
 * stream cancelled before that never opens it. {@link #schedule} and {@link #cancel} may be called from any
 * thread. Only the turn that holds the stream touches the source.
 */
final class OutboundStream {
    private static final Logger LOG = LogManager.getLogger(OutboundStream.class);
    /** Chunks sent in one turn before going to the back of the pool's queue, so streams share the pool fairly. */
    private static final int CHUNKS_PER_TURN = 16;

    private final long requestId;
    private final String streamId;
    private final StreamProvider provider;
    private ReadableByteChannel source;
    private final int chunkBytes;
    private final Channel channel;
    private final Executor pool;
    private final Runnable onFinished;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile boolean cancelled;
    private volatile boolean finished;
    private long sent;

    /**
     * A stream the first turn opens through {@code provider} (null when none is registered, which fails the
     * stream). {@code onFinished} runs once, when the stream has ended, failed or been cancelled, and its source
     * is closed.
     */
    OutboundStream(long requestId, String streamId, StreamProvider provider, int chunkBytes, Channel channel,
                   Executor pool, Runnable onFinished) {
        this.requestId = requestId;
        this.streamId = streamId;
        this.provider = provider;
        this.chunkBytes = chunkBytes;
        this.channel = channel;
        this.pool = pool;
        this.onFinished = onFinished;
    }

    long requestId() {
        return requestId;
    }

    /** Makes sure a turn is coming, unless one is already queued or running. */
    void schedule() {
        if (finished || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            pool.execute(this::turn);
        } catch (RejectedExecutionException e) {
            // the transport is shutting down; holding the turn, we may close the source here
            finish();
        }
    }

    /** Stops the stream (the receiver cancelled it, or the connection closed); the next turn closes the source. */
    void cancel() {
        cancelled = true;
        schedule();
    }

    private void turn() {
        boolean yielded;
        try {
            yielded = pump();
        } catch (RuntimeException | Error e) {
            LOG.error("Stream '{}' to {} failed unexpectedly", streamId, channel.remoteAddress(), e);
            finish();
            throw e;
        } finally {
            scheduled.set(false);
        }
        // also covers a writability change that arrived while this turn still held the stream
        if (!finished && (yielded || cancelled || channel.isWritable())) {
            schedule();
        }
    }

    /** Sends chunks while the channel is writable; true when it stopped only to yield. */
    private boolean pump() {
        if (source == null && !cancelled && channel.isActive() && !open()) {
            return false;
        }
        int chunks = 0;
        while (!finished) {
            if (cancelled || !channel.isActive()) {
                LOG.debug("Stream '{}' to {} stopped after {} bytes", streamId, channel.remoteAddress(), sent);
                finish();
                return false;
            }
            if (!channel.isWritable()) {
                return false;
            }
            if (chunks++ == CHUNKS_PER_TURN) {
                return true;
            }
            sendChunk();
        }
        return false;
    }

    /** Opens the source; on failure tells the receiver why and finishes. */
    private boolean open() {
        try {
            if (provider == null) {
                throw new IOException("no stream provider is registered at " + channel.localAddress());
            }
            source = provider.open(streamId);
            if (source == null) {
                throw new IOException("the stream provider at " + channel.localAddress() + " returned no stream for '"
                        + streamId + "'");
            }
            return true;
        } catch (Exception e) {
            LOG.warn("Cannot open stream '{}' for {}: {}", streamId, channel.remoteAddress(), e.toString());
            channel.writeAndFlush(new Message.StreamFailure(requestId, e.getClass().getName(), e.getMessage()));
            finish();
            return false;
        }
    }

    /** A read failure held back until the bytes read before it were sent (I/O thread only). */
    private IOException readFailure;

    private void sendChunk() {
        // released by the socket write (the encoder passes its reference on), or below when empty or on failure
        ByteBuf buf = channel.alloc().ioBuffer(chunkBytes, chunkBytes);
        boolean eof;
        try {
            if (readFailure != null) {
                throw readFailure;
            }
            eof = fill(buf);
        } catch (IOException | RuntimeException e) {
            buf.release();
            LOG.warn("Reading stream '{}' for {} failed after {} bytes", streamId, channel.remoteAddress(), sent, e);
            channel.writeAndFlush(new Message.StreamFailure(requestId, e.getClass().getName(),
                    "reading stream '" + streamId + "' failed after " + sent + " bytes: " + e.getMessage()));
            finish();
            return;
        }
        if (buf.isReadable()) {
            sent += buf.readableBytes();
            channel.writeAndFlush(new Message.StreamChunk(requestId, buf)).addListener(f -> {
                if (!f.isSuccess() && channel.isActive()) {
                    LOG.warn("Writing a chunk of stream '{}' to {} failed; closing the connection", streamId,
                            channel.remoteAddress(), f.cause());
                    channel.close();
                }
            });
        } else {
            buf.release();
        }
        if (eof) {
            channel.writeAndFlush(new Message.StreamEnd(requestId, sent));
            LOG.debug("Sent stream '{}' ({} bytes) to {}", streamId, sent, channel.remoteAddress());
            finish();
        }
    }

    /**
     * Fills {@code buf} to its capacity from the source, so that every chunk but the last is full; true at the end.
     * When a read fails after this chunk got some bytes, those go out first and the failure is reported next turn
     * (the receiver then knows how far the stream got).
     */
    private boolean fill(ByteBuf buf) throws IOException {
        ByteBuffer nio = buf.nioBuffer(buf.writerIndex(), buf.writableBytes());
        int before = nio.position();
        boolean eof = false;
        while (nio.hasRemaining()) {
            int n;
            try {
                n = source.read(nio);
            } catch (IOException | RuntimeException e) {
                if (nio.position() == before) {
                    throw e;
                }
                readFailure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
                break;
            }
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

    /** Closes the source and reports the stream finished; only by the holder of the turn. */
    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (source != null) {
            try {
                source.close();
            } catch (IOException e) {
                LOG.warn("Closing the source of stream '{}' failed", streamId, e);
            }
        }
        onFinished.run();
    }
}
