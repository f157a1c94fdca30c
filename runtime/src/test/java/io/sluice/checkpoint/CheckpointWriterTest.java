package io.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Time;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointWriterTest {
    @TempDir
    Path dir;

    /** A local file system whose disk is "full" for the next {@code failures} file creations. */
    static final class FullDisk extends RawLocalFileSystem {
        final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public FSDataOutputStream create(org.apache.hadoop.fs.Path f, FsPermission permission, boolean overwrite,
                                         int bufferSize, short replication, long blockSize, Progressable progress)
                throws IOException {
            creates.incrementAndGet();
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("No space left on device");
            }
            return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        }

        @Override
        public FSDataOutputStream create(org.apache.hadoop.fs.Path f, boolean overwrite, int bufferSize,
                                         short replication, long blockSize, Progressable progress) throws IOException {
            creates.incrementAndGet();
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("No space left on device");
            }
            return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
        }
    }

    private static MetadataCheckpoint at(long ms) {
        return new MetadataCheckpoint("app", "run", 1000, new Time(0), new Time(ms), List.of(), List.of(), List.of());
    }

    private FullDisk disk() throws IOException {
        var fs = new FullDisk();
        fs.initialize(java.net.URI.create("file:///"), new Configuration());
        return fs;
    }

    @Test
    void checkpointsThatCannotBeWrittenFailTheContextLoudlyAfterTheLimit() throws Exception {
        FullDisk fs = disk();
        var files = new CheckpointFiles(fs, new org.apache.hadoop.fs.Path(dir.toUri()));
        var fatal = new CompletableFuture<String>();
        var writer = new CheckpointWriter(files, "app-test", 2, Duration.ofMillis(1), (m, t) -> fatal.complete(m));
        writer.write(at(1000));
        writer.close(Duration.ofSeconds(10));
        assertThat(files.readLatest()).contains(at(1000));

        fs.failures.set(Integer.MAX_VALUE);
        var failing = new CheckpointWriter(files, "app-test", 2, Duration.ofMillis(1), (m, t) -> fatal.complete(m));
        int before = fs.creates.get();
        failing.write(at(2000));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fs.creates.get() < before + 3 && System.nanoTime() < deadline) { // its three attempts
            Thread.sleep(5);
        }
        assertThat(fatal).as("one checkpoint lost is not yet fatal").isNotDone();
        failing.write(at(3000));
        String message = fatal.get(10, TimeUnit.SECONDS);
        failing.close(Duration.ofSeconds(10));
        assertThat(message).contains("The checkpoint could not be written 2 times in a row")
                .contains("No space left on device");
        assertThat(files.readLatest()).as("the last good checkpoint is still there").contains(at(1000));
    }

    @Test
    void aFailedWriteIsRetriedAndTheCheckpointLandsOnceTheFileSystemRecovers() throws Exception {
        FullDisk fs = disk();
        var files = new CheckpointFiles(fs, new org.apache.hadoop.fs.Path(dir.toUri()));
        fs.failures.set(1); // the first attempt meets a full disk, the retry finds room
        var fatal = new CompletableFuture<String>();
        var writer = new CheckpointWriter(files, "app-test", 5, Duration.ofMillis(10), (m, t) -> fatal.complete(m));
        writer.write(at(5000));
        writer.close(Duration.ofSeconds(10));
        assertThat(files.readLatest()).contains(at(5000));
        assertThat(fatal).isNotDone();
    }
}
