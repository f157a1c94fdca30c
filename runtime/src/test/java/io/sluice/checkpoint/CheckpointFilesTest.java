package io.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {
    @TempDir
    Path dir;

    private CheckpointFiles files;

    @BeforeEach
    void rawLocalFileSystem() throws IOException {
        // no .crc side files: the damage the tests do must reach the format's own checks
        files = new CheckpointFiles(FileSystem.getLocal(new Configuration()).getRawFileSystem(),
                new org.apache.hadoop.fs.Path(dir.toUri()));
    }

    private static MetadataCheckpoint at(long completedMs) {
        return new MetadataCheckpoint("app", "run-1", 1000, new Time(0), new Time(completedMs),
                List.of(new Time(completedMs + 1000)),
                List.of(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 4)),
                List.of(new MetadataCheckpoint.Source("textFileStream:/in", 1, new byte[] {1, 2, (byte) completedMs})));
    }

    /** The file of the checkpoint of batch {@code ms} (the tests that use it write one per batch). */
    private Path file(long ms) throws IOException {
        try (var listing = Files.list(dir.resolve("metadata"))) {
            return listing.filter(p -> CheckpointFiles.completedTimeOf(p.getFileName().toString()) == ms)
                    .findFirst().orElseThrow();
        }
    }

    private List<String> names() throws IOException {
        try (var listing = Files.list(dir.resolve("metadata"))) {
            return listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theNewestCheckpointReadsBackAsWrittenAndOnlyTheNewestTenAreKept() throws IOException {
        for (long t = 1000; t <= 12_000; t += 1000) {
            files.write(at(t));
        }
        assertThat(files.readLatest()).contains(at(12_000));
        assertThat(names()).hasSize(10).doesNotContain("checkpoint-1000-0", "checkpoint-2000-1")
                .contains("checkpoint-3000-2", "checkpoint-12000-11");
    }

    @Test
    void aNameIsNeverWrittenTwiceSoARenameNeverReplacesACheckpointAcrossDrivers() throws IOException {
        files.write(at(1000));
        files.write(at(1000)); // the same batch again, e.g. with another batch pending
        var nextDriver = new CheckpointFiles(FileSystem.getLocal(new Configuration()).getRawFileSystem(),
                new org.apache.hadoop.fs.Path(dir.toUri()));
        nextDriver.write(at(2000));
        assertThat(names()).containsExactly("checkpoint-1000-0", "checkpoint-1000-1", "checkpoint-2000-2");
        assertThat(nextDriver.readLatest()).contains(at(2000));
    }

    @Test
    void theNewestWrittenWinsEvenWhenItsBatchIsOlder() throws IOException {
        // a driver that recovered from an older checkpoint (the newest was damaged) goes on from there
        files.write(at(5000));
        files.write(at(3000));
        assertThat(files.readLatest()).contains(at(3000));
    }

    @Test
    void inputPositionsAndTheRunIdReadBackAsWritten() throws IOException {
        var cp = new MetadataCheckpoint("app", "a3f9", 500, new Time(10_000), new Time(10_000), List.of(), List.of(),
                List.of(new MetadataCheckpoint.Source("a", 1, new byte[0]),
                        new MetadataCheckpoint.Source("b", 3, "files".getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        files.write(cp);
        var read = files.readLatest().orElseThrow();
        assertThat(read).isEqualTo(cp);
        assertThat(read.nothingCompleted()).isTrue();
        assertThat(new String(read.sources().get(1).position(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("files");
    }

    @Test
    void aCheckpointOfFormatOneIsStillReadWithoutPositions() throws IOException {
        var body = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.DataOutputStream(body)) {
            out.writeUTF("app");
            out.writeLong(1000);
            out.writeLong(0);
            out.writeLong(4000);
            out.writeInt(1);
            out.writeLong(5000);
            out.writeInt(1);
            out.writeUTF("totals");
            out.writeUTF("updateStateByKey");
            out.writeInt(4);
        }
        byte[] b = body.toByteArray();
        var crc = new java.util.zip.CRC32C();
        crc.update(b);
        Files.createDirectories(dir.resolve("metadata"));
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(dir.resolve("metadata").resolve("checkpoint-4000")))) {
            out.writeInt(CheckpointFiles.MAGIC);
            out.writeInt(1);
            out.writeInt(b.length);
            out.write(b);
            out.writeInt((int) crc.getValue());
        }
        var read = files.readLatest().orElseThrow();
        assertThat(read.completedTime()).isEqualTo(new Time(4000));
        assertThat(read.pendingTimes()).containsExactly(new Time(5000));
        assertThat(read.operators()).containsExactly(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 4));
        assertThat(read.sources()).isEmpty();
        // a newer driver's files come after it
        files.write(at(5000));
        assertThat(files.readLatest()).contains(at(5000));
    }

    @Test
    void aDamagedNewestCheckpointIsSkippedForTheOneBefore() throws IOException {
        files.write(at(1000));
        files.write(at(2000));
        try (var raf = new RandomAccessFile(file(2000).toFile(), "rw")) {
            raf.seek(20);
            int b = raf.read();
            raf.seek(20);
            raf.write(b ^ 0x33);
        }
        assertThatThrownBy(() -> files.read(new org.apache.hadoop.fs.Path(file(2000).toUri())))
                .isInstanceOf(CheckpointFiles.CorruptCheckpointException.class)
                .hasMessageContaining("checkpoint-2000-1 is corrupt: checksum mismatch");
        assertThat(files.readLatest()).as("recovery from the last good point").contains(at(1000));
    }

    @Test
    void aTruncatedCheckpointIsSkippedToo() throws IOException {
        files.write(at(1000));
        files.write(at(2000));
        byte[] all = Files.readAllBytes(file(2000));
        Files.write(file(2000), java.util.Arrays.copyOf(all, all.length / 2));
        assertThat(files.readLatest()).contains(at(1000));
    }

    @Test
    void aCheckpointOfAnotherFormatVersionIsRefusedNotMisread() throws IOException {
        files.write(at(1000));
        try (var raf = new RandomAccessFile(file(1000).toFile(), "rw")) {
            raf.seek(4);
            raf.writeInt(7);
        }
        assertThatThrownBy(files::readLatest).isInstanceOf(CheckpointFiles.IncompatibleCheckpointException.class)
                .hasMessageContaining("has format version 7; this version of Sluice reads formats 1 to 2");
    }

    @Test
    void everyKeptCheckpointReadsBackWithTheSavedStateVersionEachOperatorRestoresFrom() throws IOException {
        var named = new MetadataCheckpoint("app", "run-1", 1000, new Time(0), new Time(3000), List.of(),
                List.of(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 4, new Time(2000)),
                        new MetadataCheckpoint.Operator("fresh", "mapWithState", 2)), List.of());
        files.write(at(1000));
        files.write(at(2000));
        files.write(named);
        Files.write(file(2000), new byte[] {1, 2, 3}); // damaged: not one a restart can use

        assertThat(files.readKept()).containsExactly(at(1000), named);
        assertThat(files.readLatest().orElseThrow().operators()).extracting(MetadataCheckpoint.Operator::restoreFrom)
                .containsExactly(new Time(2000), null);
    }

    @Test
    void noCheckpointDirectoryMeansNoCheckpoint() throws IOException {
        assertThat(files.readLatest()).isEmpty();
    }
}
