package io.sluice.scheduler;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, point 4, end to end: an {@code updateStateByKey} job on {@code local-cluster[2,1,512]} whose batches are
 * slower than they come (a sleep in the map function), with the state saved every two batches (so saves run ahead of
 * the batches), while the executors hosting the state are SIGKILLed again and again at moments drawn from a seed.
 * No batch fails (in particular none for a saved copy that is gone, or a version no longer retained), and the state
 * after every batch, the last one included, equals the counts of the words sent up to it.
 */
class StateUnderExecutorKillsTest {
    private static final Logger LOG = LogManager.getLogger(StateUnderExecutorKillsTest.class);
    /** Other seeds: -Dsluice.test.seed=N. */
    private static final long SEED = Long.getLong("sluice.test.seed", 20261207L);
    /** Batches with data available; the run generates as many as it takes to make the kills. */
    private static final int BATCHES_WITH_DATA = 400;
    private static final int MIN_BATCHES = 20;
    /** Batches generated and not completed at most: processing lags behind, by a bounded amount. */
    private static final int BACKLOG = 6;
    private static final int KILLS = 5;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    Path workDir;

    private static List<List<String>> input(Random random) {
        var batches = new ArrayList<List<String>>();
        for (int b = 0; b < BATCHES_WITH_DATA; b++) {
            var words = new ArrayList<String>();
            for (int i = 0; i < 6; i++) {
                words.add("k" + random.nextInt(8));
            }
            batches.add(words);
        }
        return batches;
    }

    /** The state after each of the first {@code batches}: the count of every word sent up to it, as printed. */
    private static Map<Long, List<String>> expected(List<List<String>> input, int batches) {
        var result = new TreeMap<Long, List<String>>();
        var counts = new TreeMap<String, Integer>();
        for (int b = 1; b <= batches; b++) {
            input.get(b - 1).forEach(w -> counts.merge(w, 1, Integer::sum));
            var lines = new ArrayList<String>();
            counts.forEach((w, n) -> lines.add(w + "=" + n));
            result.put((long) b, lines);
        }
        return result;
    }

    /** Slower than the batches come: every record takes a while. */
    private static String slowly(String word) {
        try {
            Thread.sleep(60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return word;
    }

    @Test
    void stateSurvivesRepeatedExecutorKillsWhileSavesRunAheadOfSlowBatches() throws Exception {
        LOG.info("Seed {} (-Dsluice.test.seed=N for another run)", SEED);
        var random = new Random(SEED);
        List<List<String>> input = input(random);
        var outputs = new ConcurrentSkipListMap<Long, List<String>>();
        var failures = new CopyOnWriteArrayList<String>();
        var kit = StreamingTestKit.create().master("local-cluster[2,1,512]").numPartitions(3).timeout(WAIT)
                .conf(SluiceConf.UI_ENABLED.name(), "false")
                .conf(SluiceConf.LOCAL_CLUSTER_WORK_DIR.name(), workDir.toString())
                .conf(SluiceConf.RPC_IO_THREADS.name(), "1")
                .conf(SluiceConf.RPC_DISPATCHER_THREADS.name(), "2")
                .conf(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name(), "120s")
                .conf(SluiceConf.EXECUTOR_MAX_FAILURES.name(), "100")
                .conf(SluiceConf.EXECUTOR_FAILURE_BACKOFF.name(), "200ms")
                .conf(SluiceConf.JOB_TIMEOUT.name(), "300s")
                // a kill every few seconds on two one-core executors: a replay can lose map outputs several times
                .conf(SluiceConf.STAGE_MAX_ATTEMPTS.name(), "12");
        int kills = 0;
        int generated = 0;
        try (var harness = kit.open()) {
            var ssc = harness.context();
            var words = PairDStream.of(new TestInputDStream<>(ssc, input, 3)
                    .map(StateUnderExecutorKillsTest::slowly).mapToPair(w -> Pair.of(w, 1)));
            var counts = words.<Integer>updateStateByKey(
                    (values, state) -> Optional.of(state.orElse(0) + values.size()), 3).name("counts");
            counts.checkpoint(seconds(2));
            counts.foreachRDD((ds, time) -> {
                var lines = new ArrayList<String>();
                ds.collect().forEach(p -> lines.add(p.key() + "=" + p.value()));
                lines.sort(null);
                outputs.put(time.milliseconds() / 1000, lines);
            });
            ssc.addStreamingListener(new StreamingListener() {
                @Override
                public void onOutputOperationCompleted(StreamingListenerEvent.OutputOperationCompleted event) {
                    var info = event.outputOperationInfo();
                    if (info.failureReason() != null) {
                        failures.add(info.batchTime() + ": " + info.failureReason());
                    }
                }
            });
            ssc.start();
            var executors = ((ExecutorCluster) ssc.context().taskScheduler()).scheduler();

            // a batch every 300 ms of wall time while fewer than BACKLOG wait, so processing always lags behind
            // (and saves run ahead of it); kills at seeded moments meanwhile, each once both executors are up
            long nextKill = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_000 + random.nextInt(3_000));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (kills < KILLS || generated < MIN_BATCHES) {
                assertThat(System.nanoTime()).as("%s kills within %s s (%s failures so far: %s)", KILLS,
                        WAIT.toSeconds(), failures.size(), failures).isLessThan(deadline);
                long completed = ssc.jobScheduler().completedBatchCount();
                if (generated - completed < BACKLOG) {
                    assertThat(generated).as("batches with data").isLessThan(BATCHES_WITH_DATA);
                    harness.clock().advance(1000);
                    generated++;
                }
                if (kills < KILLS && System.nanoTime() >= nextKill && executors.executors().size() == 2) {
                    killOneExecutor(random);
                    kills++;
                    nextKill = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000 + random.nextInt(5_000));
                }
                ssc.jobScheduler().awaitCompletedBatches(completed + 1, Duration.ofMillis(300));
            }
            assertThat(ssc.jobScheduler().awaitCompletedBatches(generated, WAIT)).as("every batch completed").isTrue();
            ssc.listenerBus().waitUntilEmpty(WAIT);
        }

        assertThat(failures).as("failed output operations (seed %s)", SEED).isEmpty();
        assertThat(outputs).as("the state after every batch (seed %s)", SEED).isEqualTo(expected(input, generated));
        assertThat(executorLogs()).as("a lost partition was rebuilt from a saved copy")
                .containsPattern("Restored partition \\d of the state of 'counts' at \\d+ ms");
    }

    /** SIGKILLs one of the executor processes, picked by the seeded random. */
    private static void killOneExecutor(Random random) throws Exception {
        List<ProcessHandle> alive = ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .sorted(Comparator.comparingLong(ProcessHandle::pid))
                .toList();
        if (alive.isEmpty()) {
            throw new AssertionError("no executor process to kill");
        }
        ProcessHandle victim = alive.get(random.nextInt(alive.size()));
        LOG.info("Killing executor process {}", victim.pid());
        victim.destroyForcibly(); // SIGKILL: the state in its memory is gone
        victim.onExit().get(30, TimeUnit.SECONDS);
    }

    /** What the executor processes wrote to their stdout and stderr files under the work directory. */
    private String executorLogs() throws java.io.IOException {
        var all = new StringBuilder();
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }
}
