package io.sluice.dstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * textFileStream on the local file system with a manual clock; file modification times are set explicitly relative
 * to that clock, so which batch takes which file is deterministic.
 */
class FileInputDStreamTest {
    private static final long START = 10_000;

    private Path dir;
    private StreamingTestKit.Harness harness;
    private final ConcurrentSkipListMap<Time, List<List<String>>> batches = new ConcurrentSkipListMap<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("sluice-file-stream");
        harness = StreamingTestKit.create()
                .conf(SluiceConf.FILE_MIN_REMEMBER.name(), "3s")
                .open();
        harness.clock().setTime(START);
        StreamingContext ssc = harness.context();
        ssc.textFileStream(dir.toUri().toString())
                .foreachRDD((ds, time) -> batches.put(time, ds.glom().collect()));
    }

    @AfterEach
    void tearDown() throws IOException {
        harness.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void write(String name, long modificationTime, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, List.of(lines));
        assertThat(file.toFile().setLastModified(modificationTime)).isTrue();
    }

    /** Runs the next batch and returns its partitions (one list of lines per file). */
    private List<List<String>> nextBatch() {
        harness.runBatches(1);
        return batches.lastEntry().getValue();
    }

    @Test
    void eachBatchReadsTheFilesModifiedInItsIntervalOncePerFile() throws IOException {
        write("before-start.txt", START - 1_000, "too old");
        harness.runBatches(0);

        write("a.txt", 10_500, "a1", "a2");
        assertThat(nextBatch()).as("batch 11 s").containsExactly(List.of("a1", "a2"));
        assertThat(batches.lastKey()).isEqualTo(new Time(11_000));

        assertThat(nextBatch()).as("batch 12 s: no new file makes an empty batch").isEmpty();

        write("c.txt", 12_700, "c1", "c2");
        write("b.txt", 12_200, "b1");
        write("future.txt", 13_500, "f1");
        assertThat(nextBatch()).as("batch 13 s: one partition per file, by modification time")
                .containsExactly(List.of("b1"), List.of("c1", "c2"));

        assertThat(nextBatch()).as("batch 14 s: the file modified after 13 s").containsExactly(List.of("f1"));

        assertThat(nextBatch()).as("batch 15 s").isEmpty();
        assertThat(nextBatch()).as("batch 16 s").isEmpty();
        assertThat(nextBatch()).as("batch 17 s: files stay in the directory but are never read twice").isEmpty();
        assertThat(batches).hasSize(7);
    }

    @Test
    void hiddenTemporaryFilesAndDirectoriesAreIgnored() throws IOException {
        harness.runBatches(0);
        write(".hidden.txt", 10_500, "hidden");
        write("_temporary.txt", 10_500, "temporary");
        write("upload.txt._COPYING_", 10_500, "copying");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.write(sub.resolve("nested.txt"), List.of("nested"));
        assertThat(sub.toFile().setLastModified(10_500)).isTrue();
        write("visible.txt", 10_600, "visible");

        assertThat(nextBatch()).containsExactly(List.of("visible"));
    }

    @Test
    void aFileThatAppearsLateWithAnOldModificationTimeIsIgnored() throws IOException {
        harness.runBatches(0);
        assertThat(nextBatch()).isEmpty();
        harness.runBatches(3); // now at 14 s: the window reaches back to 11 s

        write("moved-in-late.txt", 10_800, "late");
        write("recent.txt", 13_900, "recent");
        assertThat(nextBatch()).as("batch 15 s").containsExactly(List.of("recent"));
    }

    @Test
    void theRecordCountIsNotReportedBecauseItIsNotKnownWithoutReadingTheFiles() throws IOException {
        harness.runBatches(0);
        write("a.txt", 10_500, "a1", "a2");
        assertThat(nextBatch()).hasSize(1);
        assertThat(harness.context().jobScheduler().completedBatches().get(0).streamIdToInputInfo()).isEmpty();
    }
}
