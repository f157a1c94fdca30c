package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.scheduler.OutputOperationFailedException;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** print, foreachRDD and saveAs... output operations; their order within a batch; failures of one operation. */
class OutputOperationsTest {

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit() {
        return StreamingTestKit.create();
    }

    private static final String RULE = "-------------------------------------------";

    /** Runs {@code graph} over {@code input} for {@code batches} batches and returns what it printed. */
    private String printed(List<List<Integer>> input, int batches, Consumer<DStream<Integer>> graph) {
        PrintStream original = System.out;
        var captured = new ByteArrayOutputStream();
        try (var harness = kit().open()) {
            graph.accept(new TestInputDStream<>(harness.context(), input, 2));
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            harness.runBatches(batches);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void printShowsTheFirstTenElementsUnderATimeHeaderThenEllipsis() {
        var twelve = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        String out = printed(List.of(twelve, List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), List.of()), 3, DStream::print);
        assertThat(out).isEqualTo(String.join("\n",
                RULE, "Time: 1000 ms", RULE, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "...", "",
                RULE, "Time: 2000 ms", RULE, "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "",
                RULE, "Time: 3000 ms", RULE, "", ""));
    }

    @Test
    void printNShowsTheFirstNElements() {
        String out = printed(List.of(List.of(7, 8, 9), List.of(5, 6)), 2, s -> s.map(x -> "e" + x).print(2));
        assertThat(out).isEqualTo(String.join("\n",
                RULE, "Time: 1000 ms", RULE, "e7", "e8", "...", "",
                RULE, "Time: 2000 ms", RULE, "e5", "e6", "", ""));
    }

    @Test
    void printOfPairsShowsTupleForm() {
        String out = printed(List.of(List.of(4, 4, 4)), 1, s -> s.mapToPair(x -> Pair.of("k" + x, x)).reduceByKey(Integer::sum).print());
        assertThat(out).isEqualTo(String.join("\n", RULE, "Time: 1000 ms", RULE, "(k4,12)", "", ""));
    }

    @Test
    void printShowsNothingForABatchWithoutData() {
        String out = printed(List.of(List.of(1), StreamingTestKit.<Integer>noData(), List.of(3)), 3, DStream::print);
        assertThat(out).isEqualTo(String.join("\n",
                RULE, "Time: 1000 ms", RULE, "1", "",
                RULE, "Time: 3000 ms", RULE, "3", "", ""));
    }

    @Test
    void foreachRDDRunsOnEveryBatchWithAndWithoutTime() {
        var plain = new CopyOnWriteArrayList<List<Integer>>();
        var timed = new CopyOnWriteArrayList<String>();
        try (var harness = kit().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1, 2), List.<Integer>of(), List.of(3)), 2);
            s.foreachRDD(ds -> plain.add(ds.collect()));
            s.foreachRDD((ds, time) -> timed.add(time + ":" + ds.count()));
            harness.runBatches(3);
        }
        assertThat(plain).containsExactly(List.of(1, 2), List.of(), List.of(3));
        assertThat(timed).containsExactly("1000 ms:2", "2000 ms:0", "3000 ms:1");
    }

    @Test
    void outputOperationsRunInDeclarationOrderWithinEachBatch() {
        var order = new CopyOnWriteArrayList<String>();
        try (var harness = kit().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1), List.of(2)), 2);
            s.foreachRDD((ds, t) -> order.add("first@" + t.milliseconds()));
            s.map(x -> x + 1).foreachRDD((ds, t) -> order.add("second@" + t.milliseconds()));
            s.count().foreachRDD((ds, t) -> order.add("third@" + t.milliseconds()));
            harness.runBatches(2);
        }
        assertThat(order).containsExactly("first@1000", "second@1000", "third@1000",
                "first@2000", "second@2000", "third@2000");
    }

    @Test
    void aFailingTaskFailsOnlyItsOutputOperation() throws InterruptedException {
        var completed = new CopyOnWriteArrayList<BatchInfo>();
        var after = new CopyOnWriteArrayList<String>();
        try (var harness = kit().open()) {
            harness.context().addStreamingListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                    completed.add(event.batchInfo());
                }
            });
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1, 2, 3), List.of(4)), 2);
            s.foreachRDD(ds -> ds.foreach(x -> {
                if (x == 2) {
                    throw new IllegalStateException("cannot handle element 2");
                }
            }));
            s.foreachRDD((ds, t) -> after.add(t + ":" + ds.collect()));
            harness.runBatches(2);
            // the waiter is told, once: an application that only awaits termination fails
            assertThatThrownBy(() -> harness.context().awaitTerminationOrTimeout(0))
                    .isInstanceOf(OutputOperationFailedException.class)
                    .hasMessageStartingWith("Output operation 0 (foreachRDD) of batch 1000 ms failed")
                    .rootCause().hasMessageContaining("cannot handle element 2");
            assertThat(harness.context().awaitTerminationOrTimeout(0)).as("nothing else failed").isFalse();
        }
        assertThat(after).containsExactly("1000 ms:[1, 2, 3]", "2000 ms:[4]");
        assertThat(completed).hasSize(2);
        List<OutputOperationInfo> first = new ArrayList<>(completed.get(0).outputOperationInfos().values());
        assertThat(first.get(0).failureReason()).contains("cannot handle element 2");
        assertThat(first.get(1).failureReason()).isNull();
        assertThat(completed.get(0).failed()).isTrue();
        assertThat(completed.get(1).failed()).isFalse();
        assertThat(completed.get(1).outputOperationInfos().values()).allSatisfy(o -> assertThat(o.failureReason()).isNull());
    }

    // ------------------------------------------------------------------ files

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static List<String> textLines(Path dir) throws IOException {
        var lines = new ArrayList<String>();
        for (String n : names(dir)) {
            if (n.startsWith("part-")) {
                lines.addAll(Files.readAllLines(dir.resolve(n)));
            }
        }
        return lines;
    }

    private static List<Object> objects(Path dir) throws IOException, ClassNotFoundException {
        var result = new ArrayList<Object>();
        for (String n : names(dir)) {
            if (n.startsWith("part-")) {
                try (var in = new ObjectInputStream(Files.newInputStream(dir.resolve(n)))) {
                    while (true) {
                        try {
                            result.add(in.readObject());
                        } catch (EOFException end) {
                            break;
                        }
                    }
                }
            }
        }
        return result;
    }

    @Test
    void saveAsTextFilesWritesOneDirectoryPerBatchNamedPrefixTimeSuffix(@TempDir Path tmp) throws IOException {
        String prefix = tmp.resolve("words").toUri().toString();
        try (var harness = kit().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of("a", "b", "c"), List.<String>of()), 2);
            s.mapToPair(w -> Pair.of(w, w.length())).saveAsTextFiles(prefix, "txt");
            harness.runBatches(2);
        }
        assertThat(names(tmp)).containsExactly("words-1000.txt", "words-2000.txt");
        assertThat(names(tmp.resolve("words-1000.txt"))).containsExactly("_SUCCESS", "part-00000", "part-00001");
        assertThat(textLines(tmp.resolve("words-1000.txt"))).containsExactly("(a,1)", "(b,1)", "(c,1)");
        assertThat(names(tmp.resolve("words-2000.txt"))).containsExactly("_SUCCESS", "part-00000", "part-00001");
        assertThat(textLines(tmp.resolve("words-2000.txt"))).isEmpty();
    }

    @Test
    void saveAsTextFilesWithoutSuffixNamesDirectoriesPrefixTime(@TempDir Path tmp) throws IOException {
        String prefix = tmp.resolve("out").toString();
        try (var harness = kit().numPartitions(1).open()) {
            new TestInputDStream<>(harness.context(), List.of(List.of(1, 2)), 1).saveAsTextFiles(prefix);
            harness.runBatches(1);
        }
        assertThat(names(tmp)).containsExactly("out-1000");
        assertThat(names(tmp.resolve("out-1000"))).containsExactly("_SUCCESS", "part-00000");
        assertThat(textLines(tmp.resolve("out-1000"))).containsExactly("1", "2");
    }

    @Test
    void saveAsObjectFilesWritesSerializedElementsThatReadBack(@TempDir Path tmp) throws Exception {
        String prefix = tmp.resolve("objs").toUri().toString();
        try (var harness = kit().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1, 2, 3), List.of(4)), 2);
            s.mapToPair(x -> Pair.of("k" + x, (long) x * x)).saveAsObjectFiles(prefix, "bin");
            harness.runBatches(2);
        }
        assertThat(names(tmp)).containsExactly("objs-1000.bin", "objs-2000.bin");
        assertThat(names(tmp.resolve("objs-1000.bin"))).contains("_SUCCESS");
        assertThat(objects(tmp.resolve("objs-1000.bin")))
                .containsExactly(Pair.of("k1", 1L), Pair.of("k2", 4L), Pair.of("k3", 9L));
        assertThat(objects(tmp.resolve("objs-2000.bin"))).containsExactly(Pair.of("k4", 16L));
    }
}
