package io.sluice.dstream;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.Time;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.receiver.Await;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The life of saved state versions when the executor holding the state is lost ({@link SimulatedExecutors}: tasks
 * shipped as to an executor, state in "its" memory, a kill that loses it), with saves every two batches: a save
 * that runs ahead of a slow batch must neither make a pending batch's version unreadable nor get the version a
 * pending batch restores from deleted; and a saved copy that cannot be read is no reason to fail a batch while the
 * saved version before it and the batches since can rebuild the state.
 */
class SavedStateOnLostExecutorsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int BATCHES = 8;

    private SluiceContext sc;
    private SimulatedExecutors executors;
    private StreamingTestKit.Harness harness;
    private StatefulDStream<String, Integer> totals;
    private final Map<Long, List<String>> outputs = new ConcurrentSkipListMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private volatile IntConsumer beforeOutput = batch -> { };

    @BeforeEach
    void start() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("saved-state")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false),
                env -> executors = new SimulatedExecutors(env));
        harness = StreamingTestKit.create().context(sc).timeout(WAIT).open();
        var ssc = harness.context();
        var words = PairDStream.of(new TestInputDStream<>(ssc, input(), 2).mapToPair(w -> Pair.of(w, 1)));
        var counts = words.<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()))
                .name("counts");
        counts.checkpoint(seconds(2));
        totals = (StatefulDStream<String, Integer>) counts.unwrap();
        counts.foreachRDD((ds, time) -> {
            int batch = (int) (time.milliseconds() / 1000);
            beforeOutput.accept(batch);
            var lines = new ArrayList<String>();
            ds.collect().forEach(p -> lines.add(p.key() + "=" + p.value()));
            lines.sort(null);
            outputs.put((long) batch, lines);
        });
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onOutputOperationCompleted(StreamingListenerEvent.OutputOperationCompleted event) {
                if (event.outputOperationInfo().failureReason() != null) {
                    failures.add(event.outputOperationInfo().batchTime() + ": " + event.outputOperationInfo().failureReason());
                }
            }
        });
    }

    @AfterEach
    void stop() {
        if (harness != null) {
            harness.close();
        }
        if (sc != null) {
            sc.close();
        }
    }

    /** Batch k (1-based) has "a" k times, "b" once, and "c" in even batches. */
    private static List<List<String>> input() {
        var batches = new ArrayList<List<String>>();
        for (int k = 1; k <= BATCHES; k++) {
            var batch = new ArrayList<String>();
            for (int i = 0; i < k; i++) {
                batch.add("a");
            }
            batch.add("b");
            if (k % 2 == 0) {
                batch.add("c");
            }
            batches.add(batch);
        }
        return batches;
    }

    /** The running counts after each batch, as the output prints them. */
    private static Map<Long, List<String>> expected() {
        var result = new TreeMap<Long, List<String>>();
        var counts = new TreeMap<String, Integer>();
        List<List<String>> in = input();
        for (int k = 1; k <= BATCHES; k++) {
            in.get(k - 1).forEach(w -> counts.merge(w, 1, Integer::sum));
            var lines = new ArrayList<String>();
            counts.forEach((w, n) -> lines.add(w + "=" + n));
            result.put((long) k, lines);
        }
        return result;
    }

    private Path versionDir(long versionMs) {
        return Path.of(java.net.URI.create(harness.context().checkpointDir()))
                .resolve("state").resolve("counts").resolve(Long.toString(versionMs));
    }

    private boolean committed(long versionMs) {
        return Files.exists(versionDir(versionMs).resolve("_COMMITTED"));
    }

    private void generate(int batches) {
        for (int i = 0; i < batches; i++) {
            harness.clock().advance(1000);
        }
    }

    private void awaitCompleted(long batches) throws InterruptedException {
        assertThat(harness.context().jobScheduler().awaitCompletedBatches(batches, WAIT))
                .as(batches + " batches completed").isTrue();
        harness.context().listenerBus().waitUntilEmpty(WAIT);
    }

    @Test
    void aSaveRunningAheadOfASlowBatchLeavesThatBatchItsVersionAndTheSavedCopyItRestoresFrom() throws Exception {
        var slowBatchRuns = new CountDownLatch(1);
        var slowBatchMayGoOn = new CountDownLatch(1);
        beforeOutput = batch -> {
            if (batch == 3) {
                slowBatchRuns.countDown();
                try {
                    assertThat(slowBatchMayGoOn.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        harness.runBatches(2);
        Await.until("the state at 2 s is saved", () -> totals.lastSavedVersion().isPresent(), WAIT);
        generate(1);
        assertThat(slowBatchRuns.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        // while batch 3 is slow, batches 4..6 are generated and their state saved ahead of it
        generate(3);
        Await.until("the states at 4 s and 6 s are saved", () -> committed(4000) && committed(6000), WAIT);
        assertThat(totals.lastSavedVersion()).as("a save ahead of a pending batch is not restored from yet")
                .contains(new Time(2000));
        executors.kill(); // the state in memory is gone: batch 3 must rebuild its version from the copy at 2 s
        generate(2);
        Await.until("the state at 8 s is saved", () -> committed(8000), WAIT);
        assertThat(committed(2000)).as("the saved version pending batch 3 starts from").isTrue();

        slowBatchMayGoOn.countDown();
        awaitCompleted(BATCHES);
        assertThat(failures).isEmpty();
        assertThat(outputs).isEqualTo(expected());
        Await.until("the state at 8 s is restored from once its batch completed",
                () -> totals.lastSavedVersion().filter(v -> v.milliseconds() == 8000).isPresent(), WAIT);
    }

    @Test
    void aLostPartitionWhoseNewestSavedCopyIsDamagedIsRebuiltFromTheOneBeforeAndTheBatchesSince() throws Exception {
        harness.runBatches(5);
        Await.until("the state at 4 s is the one lost partitions are rebuilt from",
                () -> totals.lastSavedVersion().filter(v -> v.milliseconds() == 4000).isPresent(), WAIT);
        Path dir = versionDir(4000);
        Files.delete(dir.resolve("part-00000"));
        corrupt(dir.resolve("part-00001"));

        executors.kill();
        harness.runBatches(3);

        assertThat(failures).isEmpty();
        assertThat(outputs).isEqualTo(expected());
        assertThat(executors.restoreFailures()).as("the damaged copy was met, and fallen back from").isPositive();
    }

    /** Flips bytes in the middle of a file, as a bad disk would (its checksums no longer match). */
    private static void corrupt(Path file) throws IOException {
        try (var f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xFF);
        }
    }
}
