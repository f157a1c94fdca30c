package io.sluice.wal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The raw local file system with injectable write failures: the next {@code n} creates, or the next {@code n}
 * record writes, throw the given message, as a full disk or an unreachable NameNode would.
 */
final class FaultyFileSystem extends FilterFileSystem {
    final AtomicInteger failingCreates = new AtomicInteger();
    final AtomicInteger failingWrites = new AtomicInteger();
    volatile String failure = "No space left on device";

    FaultyFileSystem() throws IOException {
        super(FileSystem.getLocal(new Configuration()).getRawFileSystem());
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        if (failingCreates.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IOException(failure + " (creating " + f + ")");
        }
        FSDataOutputStream real = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        return new FSDataOutputStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // Only record frames fail (headers are 8 bytes): half the frame reaches the file first, a torn write.
                if (len > SegmentFormat.HEADER_BYTES && failingWrites.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    real.write(b, off, len / 2);
                    real.hflush();
                    throw new IOException(failure);
                }
                real.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                real.hflush();
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        }, null);
    }
}
