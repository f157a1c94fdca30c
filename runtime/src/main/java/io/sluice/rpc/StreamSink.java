package io.sluice.rpc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Receives a stream chunk by chunk. Exactly one of {@link #onComplete} and {@link #onFailure} ends it.
 *
 * <p>Threading: every call comes on the connection's I/O thread, in order. A slow sink slows the sender down
 * (the connection stops reading, TCP pushes back), so a sink should write to disk or memory and not block on
 * anything else. Buffer ownership: the buffer passed to {@link #onChunk} belongs to the transport and is only valid
 * during the call; copy what must be kept.
 */
@FunctionalInterface
public interface StreamSink {

    /** The next chunk. An exception cancels the stream: the sender stops and {@link #onFailure} follows. */
    void onChunk(ByteBuffer chunk) throws IOException;

    /** All chunks arrived ({@code totalBytes} of them). An exception fails the stream's future. */
    default void onComplete(long totalBytes) throws IOException {
    }

    /** The stream failed (remotely, by connection loss, or because this sink threw); release resources here. */
    default void onFailure(Throwable cause) {
    }

    /**
     * A sink that writes the stream to {@code file} (created or truncated now) and forces it to disk on completion;
     * on failure the partial file is deleted.
     */
    static StreamSink toFile(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        return new StreamSink() {
            @Override
            public void onChunk(ByteBuffer chunk) throws IOException {
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }

            @Override
            public void onComplete(long totalBytes) throws IOException {
                try (ch) {
                    ch.force(true);
                }
            }

            @Override
            public void onFailure(Throwable cause) {
                try {
                    ch.close();
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    cause.addSuppressed(e);
                }
            }
        };
    }
}
