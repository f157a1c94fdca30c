package io.sluice.shuffle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Iterator;

/**
 * The blocks of one reducer's stream as bytes: for each block in order, its length as a big-endian int32 and then its
 * bytes. Blocks are taken from the iterator (e.g. {@link ShuffleBlockStore#blocks}) only as the reader gets to them,
 * so a stream holds one block at a time. A block that cannot be read fails the read with an {@link IOException}
 * carrying the store's message. Not thread-safe (the transport reads one chunk at a time).
 */
public final class ShuffleBlockChannel implements ReadableByteChannel {
    private final Iterator<byte[]> blocks;
    private final ByteBuffer header = ByteBuffer.allocate(Integer.BYTES);
    private ByteBuffer body = ByteBuffer.allocate(0);
    private boolean open = true;

    public ShuffleBlockChannel(Iterator<byte[]> blocks) {
        this.blocks = blocks;
        header.limit(0);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new java.nio.channels.ClosedChannelException();
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
                    throw new IOException(e.getMessage(), e);
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
