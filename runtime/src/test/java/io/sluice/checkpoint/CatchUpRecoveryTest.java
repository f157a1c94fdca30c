package io.sluice.checkpoint;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.util.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted driver far behind the clock (issue 11, point 2): it generates the batches it must catch up on only as
 * earlier ones complete, so checkpoints follow its progress, and a driver that dies during the catch-up is followed by
 * one that continues from there rather than from where the first driver stopped.
 */
class CatchUpRecoveryTest {
    @TempDir
    Path dir;

    /** Each batch's output operation takes one permit: the test decides how far a driver gets. */
    private final Semaphore permits = new Semaphore(0);
    private final Map<Long, Integer> countOfA = new ConcurrentSkipListMap<>();

    private String checkpointDir() {
        return dir.resolve("checkpoint").toUri().toString();
    }

    private StreamingContext application() {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("catch-up")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false)
                .set(SluiceConf.RECOVERY_MAX_QUEUED_BATCHES, 2);
        var ssc = new StreamingContext(conf, seconds(1));
        ssc.checkpoint(checkpointDir());
        var totals = PairDStream.of(ssc.constantStream(ssc.context().parallelize(List.of("a", "b"), 2))
                        .mapToPair(w -> Pair.of(w, 1)))
                .<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()))
                .uid("totals");
        totals.checkpoint(seconds(2));
        totals.foreachRDD((ds, time) -> {
            if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no permit for batch " + time);
            }
            ds.collect().stream().filter(p -> p.key().equals("a"))
                    .forEach(p -> countOfA.put(time.milliseconds(), p.value()));
        });
        return ssc;
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
    void aDriverThatDiesDuringCatchUpIsFollowedByOneThatContinuesFromThere() throws Exception {
        var first = application();
        clock(first).setTime(0);
        first.start();
        permits.release(3);
        clock(first).setTime(3_000);
        awaitCompleted(first, 3);
        awaitCheckpointOf(3_000);
        first.stop(true, false);

        // down for 40 batches; the next driver completes 5 of them before it dies too
        var second = StreamingContext.getOrCreate(checkpointDir(), this::application);
        clock(second).setTime(43_000);
        second.start();
        permits.release(5);
        awaitCompleted(second, 5);
        assertThat(second.jobScheduler().pendingBatches()).as("batches generated and waiting while catching up")
                .hasSizeLessThanOrEqualTo(2);
        awaitCheckpointOf(8_000);
        second.stop(true, false);

        var third = StreamingContext.getOrCreate(checkpointDir(), this::application);
        clock(third).setTime(43_000);
        third.start();
        permits.release(2);
        awaitCompleted(third, 2);
        third.stop(true, false);
        assertThat(countOfA).as("the third driver's first batches follow the second's last")
                .containsEntry(8_000L, 8).containsEntry(9_000L, 9).containsEntry(10_000L, 10);
    }

    @Test
    void inputsKeepEveryBatchSinceTheLastSavedStateWhileTheSavesRunLate() throws Exception {
        // saves of the state cannot be written (a file where their directory should be); metadata checkpoints can
        java.nio.file.Files.createDirectories(dir.resolve("checkpoint"));
        java.nio.file.Files.writeString(dir.resolve("checkpoint").resolve("state"), "not a directory");
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("late-saves")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false);
        var ssc = new StreamingContext(conf, seconds(1));
        ssc.checkpoint(checkpointDir());
        var input = ssc.constantStream(ssc.context().parallelize(List.of("a", "b"), 2));
        var totals = PairDStream.of(input.mapToPair(w -> Pair.of(w, 1)))
                .<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()));
        totals.checkpoint(seconds(2));
        totals.foreachRDD(ds -> ds.count());
        clock(ssc).setTime(0);
        ssc.start();
        try {
            clock(ssc).setTime(9_000);
            awaitCompleted(ssc, 9);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ssc.jobScheduler().pendingBatches().size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // no state was saved: a lost or restarted state is rebuilt from the first batch, so its input stays
            assertThat(input.generatedTimes()).extracting(io.sluice.api.Time::milliseconds)
                    .contains(1_000L, 2_000L, 5_000L, 9_000L);
        } finally {
            ssc.stop(true, false);
        }
    }
}
