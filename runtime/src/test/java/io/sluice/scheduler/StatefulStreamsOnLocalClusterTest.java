package io.sluice.scheduler;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful streams (updateStateByKey, mapWithState, reduceByKeyAndWindow with an inverse function) with their state
 * in the executors of {@code local-cluster[2,1,512]}: saved to the checkpoint directory every checkpoint interval,
 * and rebuilt on another executor from the saved version and the batches since when the executor hosting it is
 * SIGKILLed mid-stream — the outputs of every batch equal those of {@code local[2]} without a kill.
 */
class StatefulStreamsOnLocalClusterTest {
    private static final int BATCHES = 12;

    @TempDir
    Path workDir;

    private StreamingTestKit kit(String master) {
        var kit = StreamingTestKit.create().master(master).numPartitions(3);
        if (!master.startsWith("local[")) {
            kit.conf(SluiceConf.LOCAL_CLUSTER_WORK_DIR.name(), workDir.toString())
                    .conf(SluiceConf.RPC_IO_THREADS.name(), "1")
                    .conf(SluiceConf.RPC_DISPATCHER_THREADS.name(), "2")
                    .conf(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name(), "120s")
                    .conf(SluiceConf.JOB_TIMEOUT.name(), "120s");
        }
        return kit;
    }

    private static List<List<String>> input() {
        var batches = new ArrayList<List<String>>();
        String[] words = {"a", "b", "c", "d", "e", "f", "g"};
        for (int i = 0; i < BATCHES; i++) {
            var batch = new ArrayList<String>();
            for (int j = 0; j <= i % 4; j++) {
                batch.add(words[(i + j) % words.length]);
                batch.add(words[(i * 3 + j) % words.length]);
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Running counts, running counts through mapWithState, and counts over a 4-second window, as sorted strings. */
    private static DStream<String> statefulOutputs(StreamingContext ssc) {
        var words = PairDStream.of(new TestInputDStream<>(ssc, input(), 2).mapToPair(w -> Pair.of(w, 1)));
        var totals = words.<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()))
                .name("totals");
        totals.checkpoint(seconds(2));
        StateSpec<String, Integer, Integer, String> running = StateSpec.function(
                (String word, Optional<Integer> one, State<Integer> state) -> {
                    int n = (state.exists() ? state.get() : 0) + one.orElse(0);
                    state.update(n);
                    return Optional.of(word + "#" + n);
                });
        var mapped = words.mapWithState(running.numPartitions(3)).name("running");
        var windowed = words.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(4), seconds(1));
        return totals.map(p -> "total:" + p.key() + "=" + p.value())
                .union(mapped.map(s -> "mapped:" + s))
                .union(windowed.map(p -> "window:" + p.key() + "=" + p.value()));
    }

    private static Map<Long, List<String>> run(StreamingTestKit kit, int killAtBatch, List<String> savedVersions) {
        var outputs = Collections.synchronizedMap(new TreeMap<Long, List<String>>());
        try (var harness = kit.open()) {
            var ssc = harness.context();
            var out = statefulOutputs(ssc);
            long[] zero = {-1};
            out.foreachRDD((ds, time) -> {
                if (zero[0] < 0) {
                    zero[0] = time.milliseconds() - 1000;
                }
                long batch = (time.milliseconds() - zero[0]) / 1000;
                if (batch == killAtBatch) {
                    if (savedVersions != null) {
                        // the case under test: a saved version exists when the state is lost
                        awaitSavedVersion(Path.of(java.net.URI.create(ssc.checkpointDir())), "totals/");
                    }
                    killOneExecutor();
                }
                var values = new ArrayList<>(ds.collect());
                Collections.sort(values);
                outputs.put(batch, values);
            });
            harness.runBatches(BATCHES);
            if (savedVersions != null) {
                Path dir = Path.of(java.net.URI.create(ssc.checkpointDir()));
                awaitSavedVersion(dir, "running/"); // saved in the background, at 10 s (its default interval)
                savedVersions.addAll(committedStateVersions(dir));
            }
        }
        return outputs;
    }

    private static void awaitSavedVersion(Path checkpointDir, String prefix) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.notExists(checkpointDir.resolve("state"))
                || committedStateVersions(checkpointDir).stream().noneMatch(v -> v.startsWith(prefix))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no version of " + prefix + " was saved within 60 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void killOneExecutor() {
        ProcessHandle victim = ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no executor process to kill"));
        victim.destroyForcibly(); // SIGKILL: no shutdown hook, the state in its memory is gone
        try {
            victim.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("executor " + victim.pid() + " did not die", e);
        }
    }

    private static List<String> committedStateVersions(Path checkpointDir) {
        try (Stream<Path> files = Files.walk(checkpointDir.resolve("state"))) {
            return files.filter(p -> p.getFileName().toString().equals("_COMMITTED"))
                    .map(p -> checkpointDir.resolve("state").relativize(p.getParent()).toString())
                    .sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void stateOfAKilledExecutorIsRebuiltFromItsSavedVersionAndEveryBatchOutputEqualsLocal() {
        Map<Long, List<String>> expected = run(kit("local[2]"), -1, null);
        var saved = new ArrayList<String>();
        Map<Long, List<String>> actual = run(kit("local-cluster[2,1,512]"), 7, saved);

        assertThat(expected).hasSize(BATCHES);
        assertThat(expected.get(3L)).containsExactly(
                "mapped:a#3", "mapped:b#2", "mapped:c#2", "mapped:d#2", "mapped:e#2", "mapped:g#1",
                "total:a=3", "total:b=2", "total:c=2", "total:d=2", "total:e=2", "total:g=1",
                "window:a=3", "window:b=2", "window:c=2", "window:d=2", "window:e=2", "window:g=1");
        assertThat(actual).isEqualTo(expected);
        // the state was saved every 2 s (versions kept while needed), and after the kill an executor started the
        // lost partition of 'totals' from a saved version (then replayed the batches since)
        assertThat(saved).anyMatch(v -> v.startsWith("totals/")).anyMatch(v -> v.startsWith("running/"));
        assertThat(executorLogs()).containsPattern("Restored partition \\d of the state of 'totals' at \\d+ ms");
    }

    /** What the executor processes wrote to their stdout and stderr files under the work directory. */
    private String executorLogs() {
        try (Stream<Path> files = Files.walk(workDir)) {
            var all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f, java.nio.charset.StandardCharsets.UTF_8));
            }
            return all.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void stateLostBeforeAnyVersionWasSavedIsRebuiltFromTheFirstBatch() {
        Map<Long, List<String>> expected = run(kit("local[2]"), -1, null);
        Map<Long, List<String>> actual = run(kit("local-cluster[2,1,512]"), 2, null);

        assertThat(actual).isEqualTo(expected);
        assertThat(Arrays.asList(actual.keySet().toArray())).hasSize(BATCHES);
    }
}
