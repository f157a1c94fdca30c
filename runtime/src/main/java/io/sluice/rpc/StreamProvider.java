package io.sluice.rpc;

import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * Opens the streams a peer asks for by id (shuffle blocks, replicated blocks, files). The transport reads the
 * returned channel lazily, one chunk at a time and only while the connection can take more data, then closes it:
 * a large block never sits whole in memory.
 *
 * <p>Threading: {@link #open} and the reads run on dispatcher threads, never on an I/O thread, one read at a time
 * per stream. The channel should be a blocking one over local data ({@link java.nio.channels.FileChannel}, or
 * {@link java.nio.channels.Channels#newChannel(java.io.InputStream)} over a local stream): a slow source occupies a
 * dispatcher thread while it reads.
 */
@FunctionalInterface
public interface StreamProvider {

    /** Opens stream {@code streamId}; an exception (for example an unknown id) reaches the receiver as a stream failure. */
    ReadableByteChannel open(String streamId) throws IOException;
}
