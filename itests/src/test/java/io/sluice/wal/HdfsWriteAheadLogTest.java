package io.sluice.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.util.Progressable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The write-ahead log on a real HDFS ({@link MiniDFSCluster}, one NameNode and one DataNode, started once for the
 * class): round trip, rolling and cleaning, recovery from a truncated segment, and writes that ride out a NameNode
 * restart or fail loudly when HDFS stays unreachable.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HdfsWriteAheadLogTest {
    private static final WalSettings SETTINGS = new WalSettings(Duration.ofSeconds(1), 60, Duration.ofMillis(50),
            Duration.ofMillis(500));

    private static MiniDFSCluster cluster;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Path dir;

    @BeforeAll
    static void startHdfs() throws IOException {
        var conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-wal").getAbsolutePath());
        conf.setInt("dfs.replication", 1);
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    @AfterEach
    void closeLogs() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /**
     * A client configuration that gives up on an unreachable NameNode within about a second, so that the log's own
     * retries (not the HDFS client's long internal ones) decide how long a write keeps trying.
     */
    private static Configuration impatientClient() {
        var conf = new Configuration(cluster.getConfiguration(0));
        conf.setInt("ipc.client.connect.max.retries", 1);
        conf.setInt("ipc.client.connect.retry.interval", 100);
        conf.setInt("ipc.client.connect.max.retries.on.timeouts", 1);
        conf.setInt("ipc.client.connect.timeout", 1_000);
        conf.setInt("dfs.client.block.write.locateFollowingBlock.retries", 1);
        conf.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 100);
        return conf;
    }

    private FileSystem newClient() throws IOException {
        FileSystem fs = FileSystem.newInstance(cluster.getURI(), impatientClient());
        toClose.add(fs);
        return fs;
    }

    private FileSystemWriteAheadLog log(FileSystem fs, WalSettings settings) {
        var log = new FileSystemWriteAheadLog(fs, dir, settings);
        toClose.add(0, log); // closed before its file system
        return log;
    }

    @BeforeEach
    void directoryPerTest(TestInfo test) {
        dir = new Path(cluster.getURI().toString(), "/wal/" + test.getTestMethod().orElseThrow().getName());
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(ByteBuffer b) {
        var copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    private static List<String> readAll(WriteAheadLog log) {
        var out = new ArrayList<String>();
        try (LogRecords records = log.readAll()) {
            records.forEachRemaining(r -> out.add(string(r)));
        }
        return out;
    }

    private List<String> segmentNames() throws IOException {
        return Arrays.stream(cluster.getFileSystem().listStatus(dir)).map(s -> s.getPath().getName()).sorted().toList();
    }

    @Test
    void recordsWrittenToHdfsReadBackByHandleAndInOrderAcrossRolledSegmentsAndCleaningDropsOldSegments() throws IOException {
        var log = log(newClient(), SETTINGS);
        var handles = new ArrayList<RecordHandle>();
        for (int i = 0; i < 9; i++) {
            handles.add(log.write(bytes("record-" + i), new Time(i * 400L))); // three records per 1 s segment
        }
        assertThat(segmentNames()).containsExactly("log-0-1000", "log-1000-2000", "log-2000-3000", "log-3000-4000");
        for (int i = 0; i < 9; i++) {
            assertThat(handles.get(i).path()).startsWith("hdfs://");
            assertThat(string(log.read(handles.get(i)))).isEqualTo("record-" + i);
        }
        // A reader in another client sees every synced record, even of the segment still open for writing.
        var reader = log(newClient(), SETTINGS);
        assertThat(readAll(reader)).containsExactly("record-0", "record-1", "record-2", "record-3", "record-4",
                "record-5", "record-6", "record-7", "record-8");

        log.clean(new Time(2_000));
        assertThat(segmentNames()).containsExactly("log-2000-3000", "log-3000-4000");
        assertThat(readAll(reader)).containsExactly("record-5", "record-6", "record-7", "record-8");
    }

    @Test
    void aTruncatedSegmentOnHdfsRecoversEverythingBeforeTheDamage() throws Exception {
        var log = log(newClient(), SETTINGS);
        log.write(bytes("kept-1"), new Time(100));
        log.write(bytes("kept-2"), new Time(200));
        RecordHandle torn = log.write(bytes("torn by a crash"), new Time(300));
        log.write(bytes("next segment"), new Time(1_100));
        log.close();

        var hdfs = (DistributedFileSystem) cluster.getFileSystem();
        var segment = new Path(torn.path());
        boolean done = hdfs.truncate(segment, torn.offset() + SegmentFormat.FRAME_HEADER_BYTES + 4);
        if (!done) { // truncating inside a block runs a block recovery first; the file closes when it is over
            awaitTrue(() -> hdfs.isFileClosed(segment), Duration.ofSeconds(60), "truncated " + segment + " to close");
        }

        try (LogRecords records = log(newClient(), SETTINGS).readAll()) {
            var read = new ArrayList<String>();
            records.forEachRemaining(r -> read.add(string(r)));
            assertThat(read).containsExactly("kept-1", "kept-2", "next segment");
            assertThat(records.damage()).singleElement().satisfies(e -> assertThat(e.getMessage())
                    .contains(torn.path()).contains("offset " + torn.offset()).contains("truncated"));
        }
    }

    @Test
    void writesDuringANameNodeRestartRetryAndSucceedWithNothingLost() throws Exception {
        var failedCalls = new AtomicInteger();
        var fs = new FailureCountingFileSystem(newClient(), failedCalls);
        var log = log(fs, SETTINGS);
        var written = new CopyOnWriteArrayList<String>();
        var handles = new CopyOnWriteArrayList<RecordHandle>();
        var stop = new AtomicBoolean();
        var firstWrites = new CountDownLatch(20);
        // Each record is 100 ms of record time later, so the writer opens a new segment (a NameNode call) every
        // ten records: some of those fall into the restart.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; !stop.get(); i++) {
                String r = "record-" + i;
                handles.add(log.write(bytes(r), new Time(i * 100L)));
                written.add(r);
                firstWrites.countDown();
            }
        });
        assertThat(firstWrites.await(60, TimeUnit.SECONDS)).as("the writer started").isTrue();

        cluster.restartNameNode(true);

        int afterRestart = written.size();
        awaitTrue(() -> written.size() >= afterRestart + 30 || writer.isDone(), Duration.ofSeconds(120),
                "30 more records written after the restart");
        stop.set(true);
        writer.get(120, TimeUnit.SECONDS); // rethrows a write that failed for good

        assertThat(failedCalls.get()).as("segment rolls that failed while the NameNode was away").isPositive();
        var reader = log(newClient(), SETTINGS);
        assertThat(readAll(reader)).containsExactlyElementsOf(written);
        for (int i = 0; i < handles.size(); i++) {
            assertThat(string(reader.read(handles.get(i)))).isEqualTo(written.get(i));
        }
    }

    @Test
    void anUnreachableHdfsFailsTheWriteLoudlyNamingThePathAndKeepsAcceptedRecords() throws Exception {
        var accepted = log(newClient(), SETTINGS);
        accepted.write(bytes("accepted-1"), new Time(100));
        accepted.write(bytes("accepted-2"), new Time(200));
        accepted.close();

        var impatient = new WalSettings(Duration.ofSeconds(1), 2, Duration.ofMillis(10), Duration.ofMillis(20));
        var log = log(newClient(), impatient);
        cluster.shutdownNameNode(0);
        try {
            assertThatThrownBy(() -> log.write(bytes("refused"), new Time(300)))
                    .isInstanceOf(WriteAheadLogException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("after 3 attempt(s)")
                    .hasMessageContaining("Check that the file system is reachable");
        } finally {
            cluster.restartNameNode(0, true);
        }
        assertThat(readAll(log(newClient(), SETTINGS))).containsExactly("accepted-1", "accepted-2");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50); // polling interval of the wait, not a fixed delay the test depends on
        }
    }

    /** Counts NameNode calls of a segment roll that fail, to show that the restart really made writes retry. */
    private static final class FailureCountingFileSystem extends FilterFileSystem {
        private final AtomicInteger failedCalls;

        FailureCountingFileSystem(FileSystem fs, AtomicInteger failedCalls) {
            super(fs);
            this.failedCalls = failedCalls;
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                         short replication, long blockSize, Progressable progress) throws IOException {
            try {
                return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
            } catch (IOException e) {
                failedCalls.incrementAndGet();
                throw e;
            }
        }

        @Override
        public boolean mkdirs(Path f) throws IOException {
            try {
                return super.mkdirs(f);
            } catch (IOException e) {
                failedCalls.incrementAndGet();
                throw e;
            }
        }

        @Override
        public boolean mkdirs(Path f, FsPermission permission) throws IOException {
            try {
                return super.mkdirs(f, permission);
            } catch (IOException e) {
                failedCalls.incrementAndGet();
                throw e;
            }
        }
    }
}
