package io.sluice.scheduler;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streams on {@code local-cluster[2,1,512]} through the test kit (manual clock, queue-like test input): the batch
 * outputs equal those of {@code local[2]} (stateful streams: {@link StatefulStreamsOnLocalClusterTest}).
 */
class LocalClusterStreamingTest {
    private static final String CLUSTER = "local-cluster[2,1,512]";

    @TempDir
    Path workDir;

    private StreamingTestKit kit(String master) {
        var kit = StreamingTestKit.create().master(master).numPartitions(3).checkpoint(false);
        if (!master.startsWith("local[")) {
            kit.conf(SluiceConf.LOCAL_CLUSTER_WORK_DIR.name(), workDir.toString())
                    .conf(SluiceConf.RPC_IO_THREADS.name(), "1")
                    .conf(SluiceConf.RPC_DISPATCHER_THREADS.name(), "2")
                    .conf(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name(), "120s");
        }
        return kit;
    }

    private static List<List<String>> sortedBatches(List<List<Pair<String, Integer>>> batches) {
        var result = new ArrayList<List<String>>();
        for (var batch : batches) {
            var strings = new ArrayList<String>();
            batch.forEach(p -> strings.add(p.key() + "=" + p.value()));
            strings.sort(Comparator.naturalOrder());
            result.add(strings);
        }
        return result;
    }

    @Test
    void wordCountsPerBatchAndOverAWindowEqualLocal() {
        List<List<String>> input = List.of(
                List.of("a b a", "c"), List.of("b b"), List.of(), List.of("a c c", "d"), List.of("a"));
        Function<DStream<String>, DStream<Pair<String, Integer>>> counts = lines -> {
            PairDStream<String, Integer> words = lines.flatMap(l -> Arrays.asList(l.split(" ")).iterator())
                    .filter(w -> !w.isEmpty())
                    .mapToPair(w -> Pair.of(w, 1));
            PairDStream<String, Integer> perBatch = words.reduceByKey(Integer::sum);
            PairDStream<String, Integer> windowed = words.window(seconds(2)).reduceByKey(Integer::sum)
                    .mapToPair(p -> Pair.of("window:" + p.key(), p.value()));
            return perBatch.union(windowed);
        };
        var expected = kit("local[2]").run(input, counts, 5);
        var actual = kit(CLUSTER).run(input, counts, 5);

        assertThat(actual.times()).isEqualTo(expected.times());
        assertThat(sortedBatches(actual.outputs())).isEqualTo(sortedBatches(expected.outputs()));
        assertThat(sortedBatches(actual.outputs()).get(1)).containsExactly("b=2", "window:a=2", "window:b=3", "window:c=1");
    }
}
