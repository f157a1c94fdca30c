package io.sluice.shuffle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Iterator;

/**
 * The blocks of one reducer's stream as bytes: for each block in order, its length as a big-endian int32 and then its
 * bytes. Blocks are taken from the iterator (e.g. {@link ShuffleBlockStore#blocks}) only as the reader gets to them,
 * so a stream holds one block at a time. A block that cannot be read fails the read with an {@link IOException}
 * carrying the store's message, after the blocks before it were returned. Not thread-safe (the transport reads one chunk at a time).
 */
public final class ShuffleBlockChannel implements ReadableByteChannel {
    private final Iterator<byte[]> blocks;
    private final ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
    private ByteBuffer body = ByteBuffer.allocate(0);
    private boolean open = true;
    private IOException failed; // a block that could not be read, reported once the blocks before it went out

    public ShuffleBlockChannel(Iterator<byte[]> blocks) {
        this.blocks = blocks;
        header.limit(0);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new java.nio.channels.ClosedChannelException();
        }
        if (failed != null) {
            throw failed;
        }
        int written = 0;
        while (dst.hasRemaining()) {
            if (!header.hasRemaining() && !body.hasRemaining()) {
                if (!blocks.hasNext()) {
                    break;
                }
                byte[] next;
                try {
                    next = blocks.next();
                } catch (RuntimeException e) {
                    failed = new IOException(e.getMessage(), e);
                    if (written == 0) {
                        throw failed;
                    }
                    return written; // the blocks already in dst go out first, so the reader knows which one failed
                }
                header.clear();
                header.putInt(next.length).flip();
                body = ByteBuffer.wrap(next);
            }
            written += transfer(header, dst);
            written += transfer(body, dst);
        }
        return written == 0 && !blocks.hasNext() && !header.hasRemaining() && !body.hasRemaining() ? -1 : written;
    }

    private static int transfer(ByteBuffer src, ByteBuffer dst) {
        int n = Math.min(src.remaining(), dst.remaining());
        if (n > 0) {
            ByteBuffer slice = src.slice();
            slice.limit(n);
            dst.put(slice);
            src.position(src.position() + n);
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
