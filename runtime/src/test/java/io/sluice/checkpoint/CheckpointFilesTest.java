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
        return new MetadataCheckpoint("app", 1000, new Time(0), new Time(completedMs),
                List.of(new Time(completedMs + 1000)),
                List.of(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 4)));
    }

    private Path file(long ms) {
        return dir.resolve("metadata").resolve("checkpoint-" + ms);
    }

    @Test
    void theNewestCheckpointReadsBackAsWrittenAndOnlyTheNewestTenAreKept() throws IOException {
        for (long t = 1000; t <= 12_000; t += 1000) {
            files.write(at(t));
        }
        assertThat(files.readLatest()).contains(at(12_000));
        try (var listing = Files.list(dir.resolve("metadata"))) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted().toList()).hasSize(10)
                    .doesNotContain("checkpoint-1000", "checkpoint-2000").contains("checkpoint-12000");
        }
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
                .hasMessageContaining("checkpoint-2000 is corrupt: checksum mismatch");
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
                .hasMessageContaining("has format version 7; this version of Sluice reads format 1");
    }

    @Test
    void everyKeptCheckpointReadsBackWithTheSavedStateVersionEachOperatorRestoresFrom() throws IOException {
        var named = new MetadataCheckpoint("app", 1000, new Time(0), new Time(3000), List.of(),
                List.of(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 4, new Time(2000)),
                        new MetadataCheckpoint.Operator("fresh", "mapWithState", 2)));
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
