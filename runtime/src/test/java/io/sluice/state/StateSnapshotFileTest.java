package io.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import io.sluice.serde.Serializer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateSnapshotFileTest {
    @TempDir
    Path dir;

    private FileSystem fs;
    private final Serializer serializer = new KryoSerializer(new SluiceConf(false));

    @BeforeEach
    void localFileSystem() throws IOException {
        // without .crc side files, so that the damage done by the tests reaches the format's own checks
        fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    }

    private static Map<String, StateEntry<Long>> entries(int n) {
        var m = new HashMap<String, StateEntry<Long>>();
        for (int i = 0; i < n; i++) {
            m.put("key-" + i, new StateEntry<>((long) i * i, 1000L * (i % 5)));
        }
        return m;
    }

    private org.apache.hadoop.fs.Path file(String name) {
        return new org.apache.hadoop.fs.Path(dir.resolve(name).toUri());
    }

    @Test
    void entriesWithTheirUpdateTimesReadBackAsWrittenAcrossSeveralChunks() throws IOException {
        var written = entries(10_000); // more than one chunk
        StateSnapshotFile.write(fs, file("part-00003"), "counts", 3, new Time(7000), written, serializer);

        Map<String, StateEntry<Long>> read =
                StateSnapshotFile.read(fs, file("part-00003"), "counts", 3, new Time(7000), serializer);
        assertThat(read).isEqualTo(written);
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList())
                    .as("the temporary file was renamed into place").containsExactly("part-00003");
        }
    }

    @Test
    void anEmptyPartitionIsAFileWithNoEntries() throws IOException {
        StateSnapshotFile.write(fs, file("empty"), "counts", 0, new Time(1000), Map.of(), serializer);
        assertThat(StateSnapshotFile.read(fs, file("empty"), "counts", 0, new Time(1000), serializer)).isEmpty();
    }

    @Test
    void aFlippedByteFailsTheChecksumWithAMessageNamingTheFileAndOffset() throws IOException {
        StateSnapshotFile.write(fs, file("part"), "counts", 0, new Time(1000), entries(50), serializer);
        Path f = dir.resolve("part");
        try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
            long at = raf.length() - 40; // inside the only chunk's payload
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x5A);
        }
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("part"), "counts", 0, new Time(1000), serializer))
                .isInstanceOf(StateSnapshotFile.CorruptStateException.class)
                .hasMessageContaining("State snapshot " + file("part"))
                .hasMessageContaining("is corrupt at offset")
                .hasMessageContaining("checksum mismatch");
    }

    @Test
    void onAChecksummedFileSystemDamageIsReportedAsACorruptSnapshotToo() throws IOException {
        FileSystem checksummed = FileSystem.getLocal(new Configuration());
        StateSnapshotFile.write(checksummed, file("part"), "counts", 0, new Time(1000), entries(50), serializer);
        Path f = dir.resolve("part");
        try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
            long at = raf.length() - 40;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x5A);
        }
        assertThatThrownBy(() -> StateSnapshotFile.read(checksummed, file("part"), "counts", 0, new Time(1000), serializer))
                .isInstanceOf(StateSnapshotFile.CorruptStateException.class)
                .hasMessageContaining("State snapshot " + file("part") + " is corrupt");
    }

    @Test
    void aTruncatedFileIsReportedAsTruncated() throws IOException {
        StateSnapshotFile.write(fs, file("part"), "counts", 0, new Time(1000), entries(50), serializer);
        Path f = dir.resolve("part");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 5));
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("part"), "counts", 0, new Time(1000), serializer))
                .isInstanceOf(StateSnapshotFile.CorruptStateException.class)
                .hasMessageContaining("is truncated");
    }

    @Test
    void anotherFormatVersionIsRefusedNamingBothVersions() throws IOException {
        StateSnapshotFile.write(fs, file("part"), "counts", 0, new Time(1000), entries(3), serializer);
        Path f = dir.resolve("part");
        try (var raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(4);
            raf.writeInt(99);
        }
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("part"), "counts", 0, new Time(1000), serializer))
                .isInstanceOf(StateSnapshotFile.CorruptStateException.class)
                .hasMessageContaining("has format version 99; this version of Sluice reads format 1");
    }

    @Test
    void aFileOfAnotherOperatorOrVersionIsNotReadAsThisOne() throws IOException {
        StateSnapshotFile.write(fs, file("part"), "counts", 0, new Time(1000), entries(3), serializer);
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("part"), "sessions", 0, new Time(1000), serializer))
                .hasMessageContaining("holds partition 0 of operator 'counts' at 1000 ms, not partition 0 of 'sessions'");
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("part"), "counts", 0, new Time(2000), serializer))
                .hasMessageContaining("not partition 0 of 'counts' at 2000 ms");
    }

    @Test
    void notASnapshotAtAllIsSaidSo() throws IOException {
        Files.writeString(dir.resolve("junk"), "hello, world");
        assertThatThrownBy(() -> StateSnapshotFile.read(fs, file("junk"), "counts", 0, new Time(1000), serializer))
                .hasMessageContaining("is not a Sluice state snapshot");
    }

    @Test
    void onlyCommittedVersionsCountAndThoseBeforeTheOldestNeededOneAndItsFallbackAreDeleted() throws IOException {
        var root = new org.apache.hadoop.fs.Path(dir.toUri());
        var snapshots = new StateSnapshots(fs, root);
        for (long v : List.of(1000L, 2000L, 4000L, 6000L, 8000L)) {
            var vdir = snapshots.versionDir("my op", new Time(v));
            StateSnapshotFile.write(fs, StateSnapshots.partitionFile(vdir, 0), "my op", 0, new Time(v), entries(2),
                    serializer);
            if (v != 8000L) {
                snapshots.commit("my op", new Time(v)); // 8000 was not completed
            }
        }
        assertThat(snapshots.committedVersions("my op"))
                .containsExactly(new Time(1000), new Time(2000), new Time(4000), new Time(6000));
        assertThat(snapshots.latestCommitted("my op")).contains(new Time(6000));
        assertThat(snapshots.isComplete("my op", new Time(4000), 1)).isTrue();
        assertThat(snapshots.isComplete("my op", new Time(4000), 2)).as("no file of partition 1").isFalse();
        assertThat(snapshots.isComplete("my op", new Time(8000), 1)).as("not committed").isFalse();

        assertThat(snapshots.retainFrom("my op", new Time(4000))).containsExactly(new Time(1000));
        assertThat(snapshots.committedVersions("my op"))
                .as("4000 is needed, 2000 stays as its fallback").containsExactly(new Time(2000), new Time(4000), new Time(6000));
        assertThat(fs.exists(snapshots.versionDir("my op", new Time(8000)))).as("newer than the kept ones").isTrue();
        assertThat(snapshots.retainFrom("my op", new Time(5000))).containsExactly(new Time(2000));
        assertThat(snapshots.committedVersions("my op")).containsExactly(new Time(4000), new Time(6000));
        assertThat(snapshots.latestCommitted("other")).isEmpty();
    }
}
