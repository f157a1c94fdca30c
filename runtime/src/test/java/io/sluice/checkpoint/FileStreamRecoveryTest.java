package io.sluice.checkpoint;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.util.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file stream across driver restarts (issue 11, point 1): which files each batch took is the stream's position in
 * the metadata checkpoint, so a restarted driver replays the batches since the saved state with exactly their files,
 * runs a batch that was running when it died with exactly the files it had, and gives the batches of the time it was
 * down the files that arrived meanwhile. Driven by a manual clock, with file modification times set explicitly.
 */
class FileStreamRecoveryTest {
    @TempDir
    Path dir;

    /** The lines each batch read, by batch time, in the last run that ran the batch. */
    private final Map<Long, List<String>> lines = new ConcurrentSkipListMap<>();
    /** The running count of every word after each batch. */
    private final Map<Long, List<String>> totals = new ConcurrentSkipListMap<>();
    /** When set, the first output operation of the batch of this time fails. */
    private volatile long failAt = -1;
    /** When set, the batch of this time blocks in its first output operation (a driver killed while it runs). */
    private volatile long blockAt = -1;
    private final CountDownLatch blocked = new CountDownLatch(1);

    private String checkpointDir() {
        return dir.resolve("checkpoint").toUri().toString();
    }

    private Path input() {
        return dir.resolve("in");
    }

    private StreamingContext application() {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("file-recovery")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false)
                .set(SluiceConf.FILE_MIN_REMEMBER, Duration.ofSeconds(10));
        var ssc = new StreamingContext(conf, seconds(1));
        ssc.checkpoint(checkpointDir());
        DStream<String> in = ssc.textFileStream(input().toUri().toString());
        in.foreachRDD((ds, time) -> {
            var l = new ArrayList<>(ds.collect());
            Collections.sort(l);
            if (time.milliseconds() == failAt) {
                throw new java.io.IOException("the output's store is down");
            }
            lines.put(time.milliseconds(), l);
            if (time.milliseconds() == blockAt) {
                blocked.countDown();
                Thread.sleep(60_000); // interrupted by the crash
            }
        });
        var counts = in.mapToPair(w -> Pair.of(w, 1))
                .<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()))
                .uid("counts");
        counts.checkpoint(seconds(2));
        counts.foreachRDD((ds, time) -> {
            var l = new ArrayList<String>();
            ds.collect().forEach(p -> l.add(p.key() + "=" + p.value()));
            Collections.sort(l);
            totals.put(time.milliseconds(), l);
        });
        return ssc;
    }

    private void file(String name, long modified, String... words) throws Exception {
        Files.createDirectories(input());
        Path tmp = dir.resolve("." + name);
        Files.write(tmp, List.of(words));
        assertThat(tmp.toFile().setLastModified(modified)).isTrue();
        Files.move(tmp, input().resolve(name)); // atomically, keeping its modification time
    }

    private static ManualClock clock(StreamingContext ssc) {
        return (ManualClock) ssc.clock();
    }

    private static void awaitCompleted(StreamingContext ssc, long n) throws InterruptedException {
        assertThat(ssc.jobScheduler().awaitCompletedBatches(n, Duration.ofSeconds(60))).as("%d batches completed", n)
                .isTrue();
    }

    private void awaitCheckpointOf(long batchMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (DriverRestartTest.latestCheckpoint(checkpointDir()) < batchMs && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(DriverRestartTest.latestCheckpoint(checkpointDir())).isGreaterThanOrEqualTo(batchMs);
    }

    @Test
    void aRestartedDriverGivesEveryBatchExactlyItsFilesAndTakesThoseThatArrivedWhileItWasDown() throws Exception {
        Files.createDirectories(input());
        var first = application();
        clock(first).setTime(10_000);
        first.start(); // zero time 10 000; files modified from 10 000 on are new
        file("f1", 10_500, "a", "b");
        clock(first).setTime(11_000);
        file("f2", 11_500, "a");
        clock(first).setTime(12_000); // the state after this batch is saved (every 2 s)
        file("f3", 12_500, "c");
        clock(first).setTime(13_000);
        awaitCompleted(first, 3);
        awaitCheckpointOf(13_000);
        file("f4", 13_400, "e");
        blockAt = 14_000;
        clock(first).setTime(14_000);
        assertThat(blocked.await(60, TimeUnit.SECONDS)).as("batch 14 000 running").isTrue();
        assertThat(lines.get(14_000L)).containsExactly("e");
        first.stop(true, false); // the driver dies while batch 14 000 runs

        // meanwhile: a file that would have belonged to batch 14 000 had it been listed later, and two more
        file("late", 13_900, "late");
        file("f5", 14_500, "d");
        file("f6", 15_200, "a");
        blockAt = -1;
        var second = StreamingContext.getOrCreate(checkpointDir(), this::application);
        assertThat(second.isRecovering()).isTrue();
        clock(second).setTime(16_000);
        second.start(); // batch 13 000 is replayed into the state; 14 000 runs again, then 15 000 and 16 000
        awaitCompleted(second, 3);
        second.stop(true, false);

        assertThat(lines.get(14_000L)).as("the batch that was running, with exactly its files").containsExactly("e");
        assertThat(lines.get(15_000L)).as("files of the down time").containsExactly("d", "late");
        assertThat(lines.get(16_000L)).containsExactly("a");
        assertThat(totals.get(14_000L)).as("batch 13 000 replayed into the saved state of 12 000 with its file")
                .containsExactly("a=2", "b=1", "c=1", "e=1");
        assertThat(totals.get(16_000L)).containsExactly("a=3", "b=1", "c=1", "d=1", "e=1", "late=1");
    }

    @Test
    void aDriverKilledBeforeItsFirstBatchContinuesTheSameRunWithItsZeroTime() throws Exception {
        Files.createDirectories(input());
        var first = application();
        clock(first).setTime(10_300);
        first.start(); // zero time 10 000; no batch completes
        file("f1", 10_500, "a");
        first.stop(true, false);

        var second = StreamingContext.getOrCreate(checkpointDir(), this::application);
        assertThat(second.isRecovering()).as("the run continues").isTrue();
        clock(second).setTime(12_700);
        second.start();
        awaitCompleted(second, 2);
        second.stop(true, false);
        assertThat(lines.keySet()).as("the first run's batch times").containsExactly(11_000L, 12_000L);
        assertThat(lines.get(11_000L)).containsExactly("a");
    }

    @Test
    void aBatchWhoseOutputFailedRunsAgainInTheRestartedDriverWithItsFiles() throws Exception {
        Files.createDirectories(input());
        var first = application();
        clock(first).setTime(10_000);
        first.start();
        file("f1", 10_500, "a");
        failAt = 11_000;
        clock(first).setTime(11_000);
        awaitCompleted(first, 1);
        file("f2", 11_500, "b");
        clock(first).setTime(12_000);
        awaitCompleted(first, 2);
        assertThatThrownByAwait(first);
        assertThat(lines).as("batch 11 000's output failed").doesNotContainKey(11_000L).containsKey(12_000L);
        first.stop(true, false);

        failAt = -1;
        var second = StreamingContext.getOrCreate(checkpointDir(), this::application);
        clock(second).setTime(12_000);
        second.start();
        awaitCompleted(second, 2);
        second.stop(true, false);
        assertThat(lines.get(11_000L)).as("the failed batch ran again, with its file").containsExactly("a");
        assertThat(lines.get(12_000L)).containsExactly("b");
        assertThat(totals.get(12_000L)).containsExactly("a=1", "b=1");
    }

    private static void assertThatThrownByAwait(StreamingContext ssc) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ssc.awaitTerminationOrTimeout(10_000))
                .hasMessageContaining("the output's store is down");
    }
}
