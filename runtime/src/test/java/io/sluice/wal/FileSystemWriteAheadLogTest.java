package io.sluice.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemWriteAheadLogTest {
    private static final WalSettings SETTINGS = new WalSettings(Duration.ofSeconds(10), 3, Duration.ofMillis(1),
            Duration.ofMillis(4));

    @TempDir
    java.nio.file.Path tmp;
    private final List<WriteAheadLog> logs = new ArrayList<>();

    @AfterEach
    void closeLogs() {
        logs.forEach(WriteAheadLog::close);
    }

    private FileSystemWriteAheadLog localLog() throws IOException {
        return track(new FileSystemWriteAheadLog(FileSystem.getLocal(new Configuration()), new Path(tmp.toUri()), SETTINGS));
    }

    private <L extends WriteAheadLog> L track(L log) {
        logs.add(log);
        return log;
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String string(ByteBuffer b) {
        var copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    static List<String> readAll(WriteAheadLog log) {
        var out = new ArrayList<String>();
        try (LogRecords records = log.readAll()) {
            records.forEachRemaining(r -> out.add(string(r)));
        }
        return out;
    }

    private List<String> segmentFiles() throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(tmp)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyWrittenRecordReadsBackByHandleAndInWriteOrder() throws IOException {
        var log = localLog();
        var handles = new ArrayList<RecordHandle>();
        for (int i = 0; i < 5; i++) {
            handles.add(log.write(bytes("record-" + i), new Time(1_000 + i)));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(string(log.read(handles.get(i)))).isEqualTo("record-" + i);
        }
        assertThat(readAll(log)).containsExactly("record-0", "record-1", "record-2", "record-3", "record-4");
        // A second log on the same directory (a restarted process) sees the same records.
        assertThat(readAll(localLog())).hasSize(5);
    }

    @Test
    void rawLocalFileSystemStreamsReallySync() throws IOException {
        // Why the log unwraps LocalFileSystem: the raw stream passes hsync to FileDescriptor.sync.
        FileSystem raw = FileSystem.getLocal(new Configuration()).getRawFileSystem();
        try (var out = raw.create(new Path(tmp.toUri().toString(), "probe"))) {
            assertThat(out.hasCapability(StreamCapabilities.HSYNC)).isTrue();
        }
        localLog().write(bytes("x"), new Time(1));
        assertThat(segmentFiles()).noneMatch(n -> n.endsWith(".crc"));
    }

    @Test
    void aRecordOutsideTheOpenWindowStartsTheSegmentOfItsOwnWindow() throws IOException {
        var log = localLog();
        log.write(bytes("a"), new Time(1_000));
        log.write(bytes("b"), new Time(9_999));
        log.write(bytes("c"), new Time(10_000));
        log.write(bytes("d"), new Time(35_000));
        assertThat(segmentFiles()).containsExactly("log-0-10000", "log-10000-20000", "log-30000-40000");
        assertThat(readAll(log)).containsExactly("a", "b", "c", "d");
    }

    @Test
    void aRestartedWriterNeverAppendsToAnExistingSegmentOfItsWindow() throws IOException {
        localLog().write(bytes("before restart"), new Time(1_000));
        localLog().write(bytes("after restart"), new Time(2_000));
        assertThat(segmentFiles()).containsExactly("log-0-10000", "log-0-10000.1");
        assertThat(readAll(localLog())).containsExactly("before restart", "after restart");
    }

    @Test
    void filesThatAreNotSegmentsAreIgnored() throws IOException {
        var log = localLog();
        log.write(bytes("a"), new Time(1_000));
        Files.writeString(tmp.resolve("log-0-10000.tmp"), "half written");
        Files.writeString(tmp.resolve("README"), "not ours");
        assertThat(readAll(log)).containsExactly("a");
    }

    @Test
    void cleanDeletesOnlySegmentsWhoseRecordsAreAllOlderThanTheThreshold() throws IOException {
        var log = localLog();
        log.write(bytes("a"), new Time(1_000));
        log.write(bytes("b"), new Time(12_000));
        RecordHandle c = log.write(bytes("c"), new Time(25_000));

        log.clean(new Time(19_999)); // "b" at 12 s is older, but the segment may hold records up to 19 999 ms
        assertThat(segmentFiles()).containsExactly("log-10000-20000", "log-20000-30000");

        log.clean(new Time(20_000));
        assertThat(segmentFiles()).containsExactly("log-20000-30000");
        assertThat(readAll(log)).containsExactly("c");
        assertThat(string(log.read(c))).isEqualTo("c");
    }

    @Test
    void cleaningTheOpenSegmentClosesItAndLaterWritesGoToANewOne() throws IOException {
        var log = localLog();
        log.write(bytes("old"), new Time(1_000));
        log.clean(new Time(10_000));
        log.write(bytes("late"), new Time(2_000));
        assertThat(readAll(log)).containsExactly("late");
    }

    @Test
    void aChecksumMismatchEndsItsSegmentKeepsEverythingBeforeAndIsReportedWithFileAndOffset() throws IOException {
        var log = localLog();
        log.write(bytes("good-1"), new Time(1_000));
        RecordHandle bad = log.write(bytes("flipped"), new Time(2_000));
        log.write(bytes("after-in-same-segment"), new Time(3_000));
        log.write(bytes("next-segment"), new Time(15_000));
        log.close();
        flipByte(bad.path(), bad.offset() + SegmentFormat.FRAME_HEADER_BYTES + 2);

        var reader = localLog();
        try (LogRecords records = reader.readAll()) {
            var read = new ArrayList<String>();
            records.forEachRemaining(r -> read.add(string(r)));
            assertThat(read).containsExactly("good-1", "next-segment");
            assertThat(records.damage()).singleElement().satisfies(e -> {
                assertThat(e.file()).isEqualTo(bad.path());
                assertThat(e.offset()).isEqualTo(bad.offset());
                assertThat(e.getMessage()).contains(bad.path()).contains("offset " + bad.offset())
                        .contains("checksum mismatch");
            });
        }
        assertThatThrownBy(() -> reader.read(bad)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining(bad.path()).hasMessageContaining("checksum mismatch");
    }

    @Test
    void aTruncatedTailLosesOnlyTheTornRecord() throws IOException {
        var log = localLog();
        log.write(bytes("kept-1"), new Time(1_000));
        log.write(bytes("kept-2"), new Time(2_000));
        RecordHandle torn = log.write(bytes("torn by a crash"), new Time(3_000));
        log.close();
        truncate(torn.path(), torn.offset() + SegmentFormat.FRAME_HEADER_BYTES + 3);

        try (LogRecords records = localLog().readAll()) {
            var read = new ArrayList<String>();
            records.forEachRemaining(r -> read.add(string(r)));
            assertThat(read).containsExactly("kept-1", "kept-2");
            assertThat(records.damage()).singleElement().satisfies(e -> assertThat(e.getMessage())
                    .contains(torn.path()).contains("offset " + torn.offset()).contains("truncated"));
        }
    }

    @Test
    void aSegmentOfAnotherFormatVersionIsRefusedNamingTheFileAndBothVersions() throws IOException {
        var log = localLog();
        RecordHandle h = log.write(bytes("a"), new Time(1_000));
        log.close();
        try (var f = new RandomAccessFile(new Path(h.path()).toUri().getPath(), "rw")) {
            f.seek(4);
            f.writeInt(7);
        }
        var reader = localLog();
        assertThatThrownBy(() -> readAll(reader)).isInstanceOf(IncompatibleLogFormatException.class)
                .hasMessageContaining(h.path()).hasMessageContaining("format version 7")
                .hasMessageContaining("reads format version " + SegmentFormat.VERSION);
        assertThatThrownBy(() -> reader.read(h)).isInstanceOf(IncompatibleLogFormatException.class)
                .hasMessageContaining(h.path());
    }

    @Test
    void aFileWithoutTheSegmentMagicIsRefused() throws IOException {
        Files.writeString(tmp.resolve("log-0-10000"), "this is some other file entirely");
        assertThatThrownBy(() -> readAll(localLog())).isInstanceOf(IncompatibleLogFormatException.class)
                .hasMessageContaining("log-0-10000").hasMessageContaining("not a Sluice write-ahead log segment");
    }

    @Test
    void anEmptySegmentLeftByACrashedWriterIsSkipped() throws IOException {
        Files.createFile(tmp.resolve("log-0-10000"));
        var log = localLog();
        log.write(bytes("a"), new Time(1_000));
        try (LogRecords records = log.readAll()) {
            assertThat(records.next()).satisfies(r -> assertThat(string(r)).isEqualTo("a"));
            assertThat(records.hasNext()).isFalse();
            assertThat(records.damage()).isEmpty();
        }
    }

    @Test
    void failedWritesAreRetriedInANewSegmentAndNoAcceptedRecordIsLost() throws IOException {
        var fs = new FaultyFileSystem();
        var log = track(new FileSystemWriteAheadLog(fs, new Path(tmp.toUri()), SETTINGS));
        log.write(bytes("before"), new Time(1_000));
        fs.failingWrites.set(2);
        RecordHandle retried = log.write(bytes("retried record"), new Time(2_000));
        fs.failingCreates.set(1);
        fs.failingWrites.set(1); // fails in the open segment, then creating the next one fails once too
        log.write(bytes("after"), new Time(3_000));

        assertThat(string(log.read(retried))).isEqualTo("retried record");
        try (LogRecords records = localLog().readAll()) {
            var read = new ArrayList<String>();
            records.forEachRemaining(r -> read.add(string(r)));
            assertThat(read).containsExactly("before", "retried record", "after");
            // The abandoned segments end in the halves of the failed writes; recovery says so and moves on.
            assertThat(records.damage()).hasSize(3).allSatisfy(e -> assertThat(e.getMessage()).contains("truncated"));
        }
    }

    @Test
    void aFullDiskFailsTheWriteLoudlyNamingThePathAfterTheRetriesAndKeepsEarlierRecords() throws IOException {
        var fs = new FaultyFileSystem();
        var log = track(new FileSystemWriteAheadLog(fs, new Path(tmp.toUri()), SETTINGS));
        log.write(bytes("accepted"), new Time(1_000));
        fs.failingWrites.set(1);
        fs.failingCreates.set(Integer.MAX_VALUE);

        assertThatThrownBy(() -> log.write(bytes("refused"), new Time(2_000)))
                .isInstanceOf(WriteAheadLogException.class)
                .hasMessageContaining("after 4 attempt(s)")
                .hasMessageContaining(tmp.resolve("log-0-10000.").toString())
                .hasMessageContaining("No space left on device")
                .hasMessageContaining("sluice.streaming.writeAheadLog.maxRetries");
        assertThat(readAll(localLog())).containsExactly("accepted");
    }

    @Test
    void anEmptyRecordIsRejected() throws IOException {
        var log = localLog();
        assertThatThrownBy(() -> log.write(ByteBuffer.allocate(0), new Time(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    private static void flipByte(String file, long position) throws IOException {
        try (var f = new RandomAccessFile(new Path(file).toUri().getPath(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0xFF);
        }
    }

    private static void truncate(String file, long length) throws IOException {
        try (var f = new RandomAccessFile(new Path(file).toUri().getPath(), "rw")) {
            f.setLength(length);
        }
    }
}
