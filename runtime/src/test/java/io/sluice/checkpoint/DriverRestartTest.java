package io.sluice.checkpoint;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A driver that stops without warning and an application that starts again with
 * {@link StreamingContext#getOrCreate}: the batch times continue, the state continues from its saved version plus the
 * batches since (no update applied twice, none lost), and checkpoints an application cannot use are refused with a
 * message saying why. The application's graph is built by the same factory every time.
 */
class DriverRestartTest {
    @TempDir
    Path dir;

    /** What the application printed, by batch time: the running count of each word. */
    private final Map<Long, List<String>> outputs = new ConcurrentSkipListMap<>();
    /** The state stream of the context the factory made last. */
    private volatile PairDStream<String, Integer> lastTotals;

    private String checkpointDir() {
        return dir.resolve("checkpoint").toUri().toString();
    }

    /** Counts the words of a constant batch ("a b a") since the start, with updateStateByKey pinned as "totals". */
    private StreamingContext wordCounts(Consumer<PairDStream<String, Integer>> more) {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("restart-test")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false);
        var ssc = new StreamingContext(conf, seconds(1));
        ssc.checkpoint(checkpointDir());
        var words = PairDStream.of(ssc.constantStream(ssc.context().parallelize(List.of("a", "b", "a"), 2))
                .mapToPair(w -> Pair.of(w, 1)));
        var totals = words.<Integer>updateStateByKey((values, state) -> Optional.of(state.orElse(0) + values.size()))
                .uid("totals");
        totals.checkpoint(seconds(2));
        lastTotals = totals;
        totals.foreachRDD((ds, time) -> {
            var lines = new ArrayList<String>();
            ds.collect().forEach(p -> lines.add(p.key() + "=" + p.value()));
            Collections.sort(lines);
            outputs.put(time.milliseconds(), lines);
        });
        more.accept(words);
        return ssc;
    }

    private StreamingContext wordCounts() {
        return wordCounts(words -> { });
    }

    /** Starts the context with its clock at {@code fromMs}, runs until {@code batches} more batches completed. */
    private static void run(StreamingContext ssc, long fromMs, int batches) throws Exception {
        ((ManualClock) ssc.clock()).setTime(fromMs);
        ssc.start();
        long done = ssc.jobScheduler().completedBatchCount();
        for (int i = 0; i < batches; i++) {
            ((ManualClock) ssc.clock()).advance(1000);
        }
        assertThat(ssc.jobScheduler().awaitCompletedBatches(done + batches, Duration.ofSeconds(60)))
                .as("batches completed").isTrue();
        // the checkpoint of the last batch is written in the background: a crash before it would re-run that batch
        long last = fromMs + 1000L * batches;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (latestCheckpoint(ssc.checkpointDir()) < last && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(latestCheckpoint(ssc.checkpointDir())).isEqualTo(last);
    }

    /** The completed batch time of the newest metadata checkpoint file, or -1. */
    static long latestCheckpoint(String checkpointDir) throws java.io.IOException {
        Path metadata = Path.of(java.net.URI.create(checkpointDir)).resolve("metadata");
        if (!Files.isDirectory(metadata)) {
            return -1;
        }
        try (var listing = Files.list(metadata)) {
            return listing.mapToLong(p -> CheckpointFiles.completedTimeOf(p.getFileName().toString())).max().orElse(-1);
        }
    }

    /** Stops without draining anything, as close to a crash as one process allows. */
    private static void crash(StreamingContext ssc) {
        ssc.stop(true, false);
    }

    @Test
    void aRestartedDriverContinuesTheBatchTimesAndTheStateWithNoUpdateLostOrAppliedTwice() throws Exception {
        var first = wordCounts();
        run(first, 0, 5);
        crash(first);
        assertThat(outputs).containsKeys(1000L, 5000L);
        assertThat(outputs.get(5000L)).containsExactly("a=10", "b=5");
        assertThat(latestCheckpoint(checkpointDir())).isEqualTo(5000);

        var second = StreamingContext.getOrCreate(checkpointDir(), this::wordCounts);
        assertThat(second.isRecovering()).isTrue();
        run(second, 5000, 3);
        crash(second);
        var state = (io.sluice.dstream.StatefulDStream<?, ?>) lastTotals.unwrap();
        assertThat(state.lastSavedVersion()).as("continued from a saved version, not from the first batch")
                .hasValueSatisfying(v -> assertThat(v.milliseconds()).isGreaterThanOrEqualTo(2000));

        // batches 6..8 continue the times and the counts of the first run
        assertThat(outputs.keySet()).containsExactly(1000L, 2000L, 3000L, 4000L, 5000L, 6000L, 7000L, 8000L);
        assertThat(outputs.get(6000L)).containsExactly("a=12", "b=6");
        assertThat(outputs.get(8000L)).containsExactly("a=16", "b=8");
    }

    @Test
    void savedStateStaysWhileAKeptCheckpointNamesItSoARestartFromTheOldestKeptCheckpointContinuesFromIt()
            throws Exception {
        var first = wordCounts();
        runSteadily(first, 20);
        crash(first); // lets the queued saves (and their clean-up) finish
        Path metadata = dir.resolve("checkpoint").resolve("metadata");

        var fs = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        var root = new org.apache.hadoop.fs.Path(dir.resolve("checkpoint").toUri());
        var snapshots = new io.sluice.state.StateSnapshots(fs, root);
        List<MetadataCheckpoint> kept = new CheckpointFiles(fs, root).readKept();
        assertThat(kept).hasSize(10);
        for (MetadataCheckpoint cp : kept) {
            io.sluice.api.Time named = cp.operators().get(0).restoreFrom();
            assertThat(named).as("the saved version the checkpoint of %s names", cp.completedTime()).isNotNull();
            assertThat(snapshots.isComplete("totals", named, 2))
                    .as("%s, named by the checkpoint of %s, is still complete", named, cp.completedTime()).isTrue();
        }
        assertThat(snapshots.committedVersions("totals")).as("versions no kept checkpoint can need are deleted")
                .doesNotContain(new io.sluice.api.Time(2000), new io.sluice.api.Time(4000));

        // every checkpoint but the oldest kept one is damaged: a restart recovers from that one, and its state
        var oldest = kept.get(0);
        try (var listing = Files.list(metadata)) {
            for (Path file : listing.toList()) {
                if (CheckpointFiles.completedTimeOf(file.getFileName().toString()) > oldest.completedTime().milliseconds()) {
                    Files.write(file, new byte[] {0});
                }
            }
        }
        var second = StreamingContext.getOrCreate(checkpointDir(), this::wordCounts);
        ((ManualClock) second.clock()).setTime(20_000);
        second.start();
        var state = (io.sluice.dstream.StatefulDStream<?, ?>) lastTotals.unwrap();
        assertThat(state.lastSavedVersion()).as("the restart continues from the version its checkpoint names")
                .contains(oldest.operators().get(0).restoreFrom());
        long rerun = (20_000 - oldest.completedTime().milliseconds()) / 1000;
        ((ManualClock) second.clock()).advance(2000);
        assertThat(second.jobScheduler().awaitCompletedBatches(rerun + 2, Duration.ofSeconds(60))).isTrue();
        crash(second);
        for (long t = 1; t <= 22; t++) {
            assertThat(outputs.get(t * 1000)).as("batch %s", t).containsExactly("a=" + 2 * t, "b=" + t);
        }
    }

    /**
     * Starts at time 0 and runs {@code batches} batches one at a time, each with its checkpoint and save, as a
     * steady run does.
     */
    private void runSteadily(StreamingContext ssc, int batches) {
        var clock = (ManualClock) ssc.clock();
        clock.setTime(0);
        ssc.start();
        for (int batch = 1; batch <= batches; batch++) {
            clock.advance(1000);
            try {
                assertThat(ssc.jobScheduler().awaitCompletedBatches(batch, Duration.ofSeconds(60))).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            long written = batch * 1000L;
            io.sluice.receiver.Await.until("the checkpoint of batch " + batch + " is written", () -> {
                try {
                    return latestCheckpoint(ssc.checkpointDir()) >= written;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Duration.ofSeconds(30));
            if (batch % 2 == 0) {
                long saved = batch * 1000L;
                io.sluice.receiver.Await.until("the state at batch " + batch + " is saved", () -> lastTotals.unwrap()
                        instanceof io.sluice.dstream.StatefulDStream<?, ?> st && st.lastSavedVersion()
                        .filter(v -> v.milliseconds() == saved).isPresent(), Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aRestartWhoseSavedStateCannotBeReadFallsBackToTheVersionBeforeAndReplaysTheBatchesSince() throws Exception {
        var first = wordCounts();
        runSteadily(first, 6);
        crash(first);
        var fs = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        var root = new org.apache.hadoop.fs.Path(dir.resolve("checkpoint").toUri());
        io.sluice.api.Time named = new CheckpointFiles(fs, root).readLatest().orElseThrow().operators().get(0)
                .restoreFrom();
        assertThat(named).isNotNull();
        Path saved = dir.resolve("checkpoint").resolve("state").resolve("totals")
                .resolve(Long.toString(named.milliseconds()));
        for (String part : List.of("part-00000", "part-00001")) {
            Files.write(saved.resolve(part), "not a snapshot any more".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        var second = StreamingContext.getOrCreate(checkpointDir(), this::wordCounts);
        var errors = new java.util.concurrent.CopyOnWriteArrayList<String>();
        second.addStreamingListener(new io.sluice.listener.StreamingListener() {
            @Override
            public void onOutputOperationCompleted(io.sluice.listener.StreamingListenerEvent.OutputOperationCompleted e) {
                if (e.outputOperationInfo().failureReason() != null) {
                    errors.add(e.outputOperationInfo().failureReason());
                }
            }
        });
        run(second, 6000, 2);
        second.listenerBus().waitUntilEmpty(Duration.ofSeconds(30));
        crash(second);

        assertThat(errors).isEmpty();
        assertThat(outputs.get(7000L)).containsExactly("a=14", "b=7");
        assertThat(outputs.get(8000L)).containsExactly("a=16", "b=8");
    }

    @Test
    void withoutACheckpointGetOrCreateMakesANewContextThatCheckpointsThere() throws Exception {
        var ssc = StreamingContext.getOrCreate(checkpointDir(), this::wordCounts);
        assertThat(ssc.isRecovering()).isFalse();
        run(ssc, 0, 2);
        crash(ssc);
        assertThat(outputs.get(2000L)).containsExactly("a=4", "b=2");
        assertThat(latestCheckpoint(checkpointDir())).isEqualTo(2000);
    }

    @Test
    void anUpgradedApplicationWithANewOperatorKeepsThePinnedStateAndStartsTheNewOneEmpty() throws Exception {
        var first = wordCounts();
        run(first, 0, 4);
        crash(first);

        var distinct = new TreeMap<Long, List<String>>();
        var upgraded = StreamingContext.getOrCreate(checkpointDir(), () -> wordCounts(words -> {
            StateSpec<String, Integer, Integer, String> seen = StateSpec.function(
                    (String w, Optional<Integer> one, State<Integer> s) -> {
                        s.update((s.exists() ? s.get() : 0) + 1);
                        return Optional.of(w + "#" + s.get());
                    });
            words.mapWithState(seen).uid("seen").foreachRDD((ds, time) -> {
                var l = new ArrayList<>(ds.collect());
                Collections.sort(l);
                synchronized (distinct) {
                    distinct.put(time.milliseconds(), l);
                }
            });
        }));
        run(upgraded, 4000, 2);
        crash(upgraded);

        assertThat(outputs.get(6000L)).as("the pinned state continued").containsExactly("a=12", "b=6");
        synchronized (distinct) {
            assertThat(distinct.get(5000L)).as("the new operator started empty")
                    .containsExactly("a#1", "a#2", "b#1");
        }
    }

    @Test
    void aCheckpointWhoseOperatorChangedKindIsRefusedNamingTheOperator() throws Exception {
        var first = wordCounts();
        run(first, 0, 3);
        crash(first);

        var changed = StreamingContext.getOrCreate(checkpointDir(), () -> {
            var conf = new SluiceConf(false).setMaster("local[2]").setAppName("restart-test")
                    .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false);
            var ssc = new StreamingContext(conf, seconds(1));
            ssc.checkpoint(checkpointDir());
            StateSpec<String, Integer, Integer, Integer> spec = StateSpec.function(
                    (String w, Optional<Integer> one, State<Integer> s) -> Optional.of(1));
            PairDStream.of(ssc.constantStream(ssc.context().parallelize(List.of("a"), 1)).mapToPair(w -> Pair.of(w, 1)))
                    .mapWithState(spec).uid("totals").print();
            return ssc;
        });
        assertThatThrownBy(changed::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is incompatible with this application")
                .hasMessageContaining("operator 'totals' (updateStateByKey, 2 partitions)")
                .hasMessageContaining("cannot be used by operator 'totals' (mapWithState")
                .hasMessageContaining("the kind of state changed")
                .hasMessageContaining("name(...)/uid(...)");
    }

    @Test
    void aCheckpointDirectoryThatCannotBeWrittenFailsTheStartNamingIt() throws Exception {
        Files.writeString(dir.resolve("checkpoint"), "a file where the checkpoint directory should be");
        var ssc = wordCounts();
        ((ManualClock) ssc.clock()).setTime(0);
        assertThatThrownBy(ssc::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot use the checkpoint directory " + new org.apache.hadoop.fs.Path(checkpointDir()))
                .hasMessageContaining("Check that it is a directory this user can write to");
        assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void withoutTheLeaseAnUnwritableCheckpointDirectoryStillFailsTheStartAtTheFirstCheckpoint() throws Exception {
        Files.writeString(dir.resolve("checkpoint"), "a file where the checkpoint directory should be");
        var ssc = wordCounts();
        ssc.conf().set(SluiceConf.CHECKPOINT_LEASE_ENABLED, false);
        ((ManualClock) ssc.clock()).setTime(0);
        assertThatThrownBy(ssc::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot checkpoint to " + checkpointDir())
                .hasMessageContaining("Check that the checkpoint directory is reachable and writable");
        assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void aSecondDriverOnTheSameCheckpointDirectoryRefusesToStartNamingTheFirstAndTheFirstRunsOn() throws Exception {
        var first = wordCounts();
        first.conf().set(SluiceConf.CHECKPOINT_LEASE_TIMEOUT, seconds(3));
        run(first, 0, 2);
        var second = wordCounts();
        second.conf().set(SluiceConf.CHECKPOINT_LEASE_TIMEOUT, seconds(3));
        ((ManualClock) second.clock()).setTime(0);
        assertThatThrownBy(second::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is in use by application " + first.context().appId() + " (host ")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(second.getState()).isEqualTo(StreamingContext.State.STOPPED);
        assertThat(first.getState()).isEqualTo(StreamingContext.State.ACTIVE);
        ((ManualClock) first.clock()).advance(1000);
        assertThat(first.jobScheduler().awaitCompletedBatches(3, Duration.ofSeconds(60))).isTrue();
        crash(first);
        // stopped, the first gave its lease up: a restart takes the directory at once
        var restarted = StreamingContext.getOrCreate(checkpointDir(), this::wordCounts);
        run(restarted, 3000, 1);
        crash(restarted);
    }

    @Test
    void anotherBatchIntervalIsRefusedBeforeAnythingStarts() throws Exception {
        var first = wordCounts();
        run(first, 0, 2);
        crash(first);

        assertThatThrownBy(() -> StreamingContext.getOrCreate(checkpointDir(), () -> {
            var conf = new SluiceConf(false).setMaster("local[2]").setAppName("restart-test")
                    .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false);
            var ssc = new StreamingContext(conf, seconds(2));
            ssc.checkpoint(checkpointDir());
            return ssc;
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was written with a batch interval of 1000 ms; this application has 2000 ms");
    }
}
