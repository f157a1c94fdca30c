package io.sluice.itests.recovery;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.checkpoint.CheckpointFiles;
import io.sluice.checkpoint.MetadataCheckpoint;
import io.sluice.conf.SluiceConf;
import io.sluice.util.ManualClock;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Checkpoints on a real HDFS ({@link MiniDFSCluster}): a damaged newest metadata checkpoint gives way to the one
 * before it, and an upgraded application (an operator added, the state-carrying one pinned by uid) resumes from the
 * old checkpoint with its state.
 */
class CheckpointsOnHdfsTest {
    private static MiniDFSCluster hdfs;
    private static FileSystem fs;

    private final Map<Long, List<String>> outputs = new ConcurrentSkipListMap<>();

    @BeforeAll
    static void startHdfs() throws IOException {
        var conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-checkpoints").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static String dir(TestInfo test) {
        return hdfs.getURI() + "/checkpoints/" + test.getTestMethod().orElseThrow().getName();
    }

    private static MetadataCheckpoint at(long ms) {
        return new MetadataCheckpoint("app", "run-1", 1000, new Time(0), new Time(ms), List.of(),
                List.of(new MetadataCheckpoint.Operator("totals", "updateStateByKey", 2)), List.of());
    }

    @Test
    void aTruncatedNewestCheckpointOnHdfsGivesWayToTheOneBeforeIt(TestInfo test) throws IOException {
        var files = new CheckpointFiles(fs, new Path(dir(test)));
        files.write(at(1000));
        Path newest = files.write(at(2000));
        byte[] all;
        try (var in = fs.open(newest)) {
            all = in.readAllBytes();
        }
        try (var out = fs.create(newest, true)) { // a torn write: only half of it reached the disk
            out.write(all, 0, all.length / 2);
        }

        assertThatThrownBy(() -> files.read(newest)).isInstanceOf(CheckpointFiles.CorruptCheckpointException.class)
                .hasMessageContaining("Checkpoint file " + newest).hasMessageContaining("is truncated");
        assertThat(files.readLatest()).contains(at(1000));
    }

    private StreamingContext wordCounts(String checkpointDir, Consumer<PairDStream<String, Integer>> more) {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("upgrade-test")
                .set(SluiceConf.CLOCK, "manual").set(SluiceConf.UI_ENABLED, false);
        var ssc = new StreamingContext(conf, seconds(1));
        ssc.checkpoint(checkpointDir);
        var words = PairDStream.of(ssc.constantStream(ssc.context().parallelize(List.of("a", "b", "a"), 2))
                .mapToPair(w -> Pair.of(w, 1)));
        var totals = words.<Integer>updateStateByKey((v, s) -> Optional.of(s.orElse(0) + v.size()), 2).uid("totals");
        totals.checkpoint(seconds(2));
        totals.foreachRDD((ds, time) -> {
            var lines = new ArrayList<String>();
            ds.collect().forEach(p -> lines.add(p.key() + "=" + p.value()));
            Collections.sort(lines);
            outputs.put(time.milliseconds(), lines);
        });
        more.accept(words);
        return ssc;
    }

    private static void run(StreamingContext ssc, long fromMs, int batches) throws Exception {
        ((ManualClock) ssc.clock()).setTime(fromMs);
        ssc.start();
        long done = ssc.jobScheduler().completedBatchCount();
        for (int i = 0; i < batches; i++) {
            ((ManualClock) ssc.clock()).advance(1000);
        }
        assertThat(ssc.jobScheduler().awaitCompletedBatches(done + batches, Duration.ofSeconds(60))).isTrue();
        long last = fromMs + 1000L * batches;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (io.sluice.itests.BatchOutputs.latestCheckpoint(fs, ssc.checkpointDir()) < last
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(io.sluice.itests.BatchOutputs.latestCheckpoint(fs, ssc.checkpointDir())).as("checkpoint of %d", last)
                .isEqualTo(last);
    }

    @Test
    void anUpgradedJobWithAnAddedOperatorResumesFromTheOldCheckpointWithItsState(TestInfo test) throws Exception {
        String checkpointDir = dir(test);
        var first = wordCounts(checkpointDir, words -> { });
        run(first, 0, 5);
        first.stop(true, false);
        assertThat(outputs.get(5000L)).containsExactly("a=10", "b=5");

        var added = new ConcurrentSkipListMap<Long, List<String>>();
        var upgraded = StreamingContext.getOrCreate(checkpointDir, () -> wordCounts(checkpointDir, words -> {
            StateSpec<String, Integer, Integer, String> seen = StateSpec.function(
                    (String w, Optional<Integer> one, State<Integer> s) -> {
                        s.update((s.exists() ? s.get() : 0) + 1);
                        return Optional.of(w + "#" + s.get());
                    });
            words.mapWithState(seen).uid("seen").foreachRDD((ds, time) -> {
                var l = new ArrayList<>(ds.collect());
                Collections.sort(l);
                added.put(time.milliseconds(), l);
            });
        }));
        assertThat(upgraded.isRecovering()).isTrue();
        run(upgraded, 5000, 2);
        upgraded.stop(true, false);

        assertThat(outputs.get(6000L)).as("the pinned state continued").containsExactly("a=12", "b=6");
        assertThat(outputs.get(7000L)).containsExactly("a=14", "b=7");
        assertThat(added.get(6000L)).as("the added operator started empty").containsExactly("a#1", "a#2", "b#1");
        assertThat(fs.exists(new Path(checkpointDir + "/state/totals"))).as("state saved on HDFS").isTrue();
    }
}
