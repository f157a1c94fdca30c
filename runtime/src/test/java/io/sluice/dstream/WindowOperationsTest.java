package io.sluice.dstream;

import static io.sluice.api.Durations.milliseconds;
import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.HashPartitioner;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class WindowOperationsTest {
    private static final List<List<Pair<String, Integer>>> KEYED = List.of(
            List.of(Pair.of("a", 1), Pair.of("b", 2)),
            List.of(Pair.of("a", 3)),
            List.of(Pair.of("b", 4)));

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit() {
        return StreamingTestKit.create();
    }

    private static Pair<String, Integer> p(String k, int v) {
        return Pair.of(k, v);
    }

    private static <T> List<Set<T>> asSets(List<List<T>> batches) {
        var sets = new ArrayList<Set<T>>();
        for (List<T> b : batches) {
            sets.add(new HashSet<>(b));
        }
        return sets;
    }

    private static List<Integer> sorted(Iterable<Integer> values) {
        var list = new ArrayList<Integer>();
        values.forEach(list::add);
        list.sort(null);
        return list;
    }

    private static List<Time> times(long... seconds) {
        var list = new ArrayList<Time>();
        for (long s : seconds) {
            list.add(new Time(s * 1000));
        }
        return list;
    }

    private <R> StreamingTestKit.Result<R> runKeyed(List<List<Pair<String, Integer>>> input,
                                                           Function<PairDStream<String, Integer>, DStream<R>> op,
                                                           int batches) {
        return kit().run(input, (DStream<Pair<String, Integer>> s) -> op.apply(PairDStream.of(s)),
                batches);
    }

    // ---------------------------------------------------------------- reduceByWindow / countByWindow

    @Test
    void reduceByWindowRecomputesEachWindowAndEmitsNothingForEmptyWindows() {
        var out = kit().run(List.of(List.of(1, 2), List.of(3), List.of(4)),
                (DStream<Integer> s) -> s.reduceByWindow(Integer::sum, seconds(2), seconds(1)), 6);
        assertThat(out.outputs()).containsExactly(List.of(3), List.of(6), List.of(7), List.of(4), List.of(), List.of());
    }

    @Test
    void reduceByWindowWithInverseKeepsTheZeroOnceTheWindowEmptied() {
        var out = kit().run(List.of(List.of(1, 2), List.of(3), List.of(4)),
                (DStream<Integer> s) -> s.reduceByWindow(Integer::sum, (a, b) -> a - b, seconds(2), seconds(1)), 6);
        assertThat(out.outputs()).containsExactly(List.of(3), List.of(6), List.of(7), List.of(4), List.of(0), List.of(0));
    }

    @Test
    void countByWindowIsEmptyBeforeAnyDataAndZeroOnceDrained() {
        var out = kit().run(List.of(List.of(), List.of("a", "b"), List.of("c")),
                (DStream<String> s) -> s.countByWindow(seconds(2), seconds(1)), 6);
        assertThat(out.outputs()).containsExactly(List.of(), List.of(2L), List.of(3L), List.of(1L), List.of(0L),
                List.of(0L));
    }

    @Test
    void countByWindowWithSlideLongerThanWindowCountsOnlyTheCoveredBatches() {
        var out = kit().run(
                List.of(List.of("x"), List.of("x", "x"), List.of("x", "x", "x"), List.of("x"), List.of("x", "x")),
                (DStream<String> s) -> s.countByWindow(seconds(2), seconds(3)), 9);
        assertThat(out.times()).isEqualTo(times(3, 6, 9));
        // {2,3} = 2 + 3, {5,6} = 2 + 0, {8,9} = 0
        assertThat(out.outputs()).containsExactly(List.of(5L), List.of(2L), List.of(0L));
    }

    @Test
    void countByWindowSkipsBatchesWithNoDataAtAll() {
        var out = kit().run(
                List.of(List.of("a"), StreamingTestKit.noData(), List.of("b", "c"), StreamingTestKit.noData()),
                (DStream<String> s) -> s.countByWindow(seconds(2), seconds(1)), 6);
        assertThat(out.outputs()).containsExactly(List.of(1L), List.of(1L), List.of(2L), List.of(2L), List.of(0L),
                List.of(0L));
    }

    @Test
    void countByValueAndWindowDropsValuesWhoseCountFellToZero() {
        var out = kit().run(List.of(List.of("a", "b", "a"), List.of("b")),
                (DStream<String> s) -> s.countByValueAndWindow(seconds(2), seconds(1)), 4);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", 2L), Pair.of("b", 1L)),
                Set.of(Pair.of("a", 2L), Pair.of("b", 2L)),
                Set.of(Pair.of("b", 1L)),
                Set.of());
    }

    @Test
    void countByValueAndWindowOverSeveralInputAndStatePartitions() {
        var out = kit().numPartitions(3).run(
                List.of(List.of("a", "b", "c", "a", "d", "e", "a"), List.of("e", "e", "f", "b")),
                (DStream<String> s) -> s.countByValueAndWindow(seconds(3), seconds(1), 3), 5);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", 3L), Pair.of("b", 1L), Pair.of("c", 1L), Pair.of("d", 1L), Pair.of("e", 1L)),
                Set.of(Pair.of("a", 3L), Pair.of("b", 2L), Pair.of("c", 1L), Pair.of("d", 1L), Pair.of("e", 3L),
                        Pair.of("f", 1L)),
                Set.of(Pair.of("a", 3L), Pair.of("b", 2L), Pair.of("c", 1L), Pair.of("d", 1L), Pair.of("e", 3L),
                        Pair.of("f", 1L)),
                Set.of(Pair.of("b", 1L), Pair.of("e", 2L), Pair.of("f", 1L)),
                Set.of());
    }

    // ---------------------------------------------------------------- reduceByKeyAndWindow

    @Test
    void reduceByKeyAndWindowRecomputingDropsKeysWithoutValuesInTheWindow() {
        var out = runKeyed(KEYED, s -> s.reduceByKeyAndWindow(Integer::sum, seconds(2)), 5);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(p("a", 1), p("b", 2)),
                Set.of(p("a", 4), p("b", 2)),
                Set.of(p("a", 3), p("b", 4)),
                Set.of(p("b", 4)),
                Set.of());
    }

    @Test
    void reduceByKeyAndWindowWithInverseKeepsKeysWhoseValuesLeftWithZero() {
        var out = runKeyed(KEYED, s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(2), seconds(1)), 6);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(p("a", 1), p("b", 2)),
                Set.of(p("a", 4), p("b", 2)),
                Set.of(p("a", 3), p("b", 4)),
                Set.of(p("a", 0), p("b", 4)),
                Set.of(p("a", 0), p("b", 0)),
                Set.of(p("a", 0), p("b", 0)));
    }

    @Test
    void reduceByKeyAndWindowWithInverseAndFilterEqualsTheRecomputingForm() {
        var input = List.of(
                List.of(p("a", 1), p("b", 2), p("c", 5)),
                List.of(p("a", 3), p("c", 1)),
                List.<Pair<String, Integer>>of(),
                List.of(p("b", 4), p("a", 1)),
                List.of(p("c", 2)));
        var incremental = runKeyed(input, s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(3),
                seconds(1), 2, kv -> kv.value() != 0), 9);
        var recomputed = runKeyed(input, s -> s.reduceByKeyAndWindow(Integer::sum, seconds(3), seconds(1)), 9);
        assertThat(asSets(incremental.outputs())).isEqualTo(asSets(recomputed.outputs())).containsExactly(
                Set.of(p("a", 1), p("b", 2), p("c", 5)),
                Set.of(p("a", 4), p("b", 2), p("c", 6)),
                Set.of(p("a", 4), p("b", 2), p("c", 6)),
                Set.of(p("a", 4), p("b", 4), p("c", 1)),
                Set.of(p("a", 1), p("b", 4), p("c", 2)),
                Set.of(p("a", 1), p("b", 4), p("c", 2)),
                Set.of(p("c", 2)),
                Set.of(),
                Set.of());
    }

    @Test
    void windowOfFourSecondsSlidingByTwoEmitsEveryTwoSecondsStartingPartial() {
        var input = new ArrayList<List<Pair<String, Integer>>>();
        for (int i = 1; i <= 6; i++) {
            input.add(List.of(p("a", i)));
        }
        var recomputed = runKeyed(input, s -> s.reduceByKeyAndWindow(Integer::sum, seconds(4), seconds(2)), 10);
        var incremental = runKeyed(input,
                s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(4), seconds(2), 3), 10);
        assertThat(recomputed.times()).isEqualTo(times(2, 4, 6, 8, 10));
        assertThat(incremental.times()).isEqualTo(times(2, 4, 6, 8, 10));
        // batches 1–2, 1–4, 3–6, 5–8, 7–10
        assertThat(recomputed.outputs()).containsExactly(
                List.of(p("a", 3)), List.of(p("a", 10)), List.of(p("a", 18)), List.of(p("a", 11)), List.of());
        assertThat(incremental.outputs()).containsExactly(
                List.of(p("a", 3)), List.of(p("a", 10)), List.of(p("a", 18)), List.of(p("a", 11)), List.of(p("a", 0)));
    }

    @Test
    void slideLongerThanWindowSkipsTheBatchesBetweenWindows() {
        var input = new ArrayList<List<Pair<String, Integer>>>();
        for (int i = 1; i <= 6; i++) {
            input.add(List.of(p("k" + i, i), p("all", i)));
        }
        var recomputed = runKeyed(input, s -> s.reduceByKeyAndWindow(Integer::sum, seconds(2), seconds(3)), 9);
        var incremental = runKeyed(input,
                s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(2), seconds(3)), 9);
        var filtered = runKeyed(input, s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, seconds(2),
                seconds(3), 2, kv -> kv.value() != 0), 9);
        assertThat(recomputed.times()).isEqualTo(times(3, 6, 9));
        assertThat(incremental.times()).isEqualTo(times(3, 6, 9));
        // windows {2,3}, {5,6}, {8,9}: batches 1, 4 and 7 are in no window
        assertThat(asSets(recomputed.outputs())).containsExactly(
                Set.of(p("k2", 2), p("k3", 3), p("all", 5)),
                Set.of(p("k5", 5), p("k6", 6), p("all", 11)),
                Set.of());
        assertThat(asSets(incremental.outputs())).containsExactly(
                Set.of(p("k2", 2), p("k3", 3), p("all", 5)),
                Set.of(p("k2", 0), p("k3", 0), p("k5", 5), p("k6", 6), p("all", 11)),
                Set.of(p("k2", 0), p("k3", 0), p("k5", 0), p("k6", 0), p("all", 0)));
        assertThat(asSets(filtered.outputs())).isEqualTo(asSets(recomputed.outputs()));
    }

    @Test
    void recomputingFormReducesTheWindowWithoutASecondShuffle() {
        var narrowToUnion = new ArrayList<Boolean>();
        var partitioners = new ArrayList<Object>();
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var input = new TestInputDStream<>(ssc, KEYED, 2);
            PairDStream.of(input).reduceByKeyAndWindow(Integer::sum, seconds(2), seconds(1), 3).foreachRDD(ds -> {
                narrowToUnion.add(narrowlyReads(ds, "union"));
                partitioners.add(ds.partitioner());
            });
            harness.runBatches(3);
        }
        // batch 1's window holds one batch, so there is no union to read
        assertThat(narrowToUnion).containsExactly(false, true, true);
        assertThat(partitioners).containsOnly(new HashPartitioner(3));
    }

    /** True if {@code ds} reaches a dataset made by {@code opName} through narrow dependencies only. */
    private static boolean narrowlyReads(Dataset<?> ds, String opName) {
        if (ds.opName().equals(opName)) {
            return true;
        }
        for (Dependency d : ds.dependencies()) {
            if (d instanceof Dependency.Narrow n && narrowlyReads(n.parent(), opName)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void windowsKeepSlidingOverEmptyBatchesUntilTheyDrain() {
        var out = runKeyed(List.of(List.of(p("a", 1))),
                s -> s.reduceByKeyAndWindow(Integer::sum, seconds(3), seconds(1)), 5);
        assertThat(out.outputs()).containsExactly(
                List.of(p("a", 1)), List.of(p("a", 1)), List.of(p("a", 1)), List.of(), List.of());
    }

    @Test
    void reduceByKeyAndWindowOverSeveralInputPartitionsIntoThreeStatePartitions() {
        var input = List.of(
                List.of(p("a", 1), p("b", 1), p("c", 1), p("d", 1), p("a", 1), p("b", 1), p("e", 1)),
                List.of(p("a", 10), p("e", 10), p("f", 10)));
        var out = kit().numPartitions(3).run(input,
                (DStream<Pair<String, Integer>> s) -> PairDStream.of(s).reduceByKeyAndWindow(Integer::sum,
                        (a, b) -> a - b, seconds(2), seconds(1), 3, kv -> kv.value() != 0).glom(), 3);
        assertThat(out.outputs()).allSatisfy(partitions -> assertThat(partitions).hasSize(3));
        var flattened = new ArrayList<List<Pair<String, Integer>>>();
        out.outputs().forEach(batch -> {
            var all = new ArrayList<Pair<String, Integer>>();
            batch.forEach(all::addAll);
            flattened.add(all);
        });
        assertThat(asSets(flattened)).containsExactly(
                Set.of(p("a", 2), p("b", 2), p("c", 1), p("d", 1), p("e", 1)),
                Set.of(p("a", 12), p("b", 2), p("c", 1), p("d", 1), p("e", 11), p("f", 10)),
                Set.of(p("a", 10), p("e", 10), p("f", 10)));
    }

    // ---------------------------------------------------------------- groupByKeyAndWindow

    @Test
    void groupByKeyAndWindowGroupsAllValuesOfTheWindow() {
        var out = runKeyed(List.of(List.of(p("a", 1), p("b", 2)), List.of(p("a", 3), p("a", 4)), List.of()),
                s -> s.groupByKeyAndWindow(seconds(2), seconds(1)).mapValues(WindowOperationsTest::sorted), 4);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", List.of(1)), Pair.of("b", List.of(2))),
                Set.of(Pair.of("a", List.of(1, 3, 4)), Pair.of("b", List.of(2))),
                Set.of(Pair.of("a", List.of(3, 4))),
                Set.of());
    }

    @Test
    void groupByKeyAndWindowWithSlideReadsEachBatchOnceIntoEveryWindowItBelongsTo() {
        var out = runKeyed(List.of(List.of(p("a", 1)), List.of(p("a", 2)), List.of(p("a", 3)), List.of(p("a", 4))),
                s -> s.groupByKeyAndWindow(seconds(3), seconds(1), 2).mapValues(WindowOperationsTest::sorted), 5);
        assertThat(out.outputs()).containsExactly(
                List.of(Pair.of("a", List.of(1))),
                List.of(Pair.of("a", List.of(1, 2))),
                List.of(Pair.of("a", List.of(1, 2, 3))),
                List.of(Pair.of("a", List.of(2, 3, 4))),
                List.of(Pair.of("a", List.of(3, 4))));
    }

    // ---------------------------------------------------------------- start-time validation

    @Test
    void windowThatIsNotAMultipleOfTheBatchFailsAtStart() {
        assertThatThrownBy(() -> runKeyed(KEYED,
                s -> s.reduceByKeyAndWindow(Integer::sum, (a, b) -> a - b, milliseconds(1500), seconds(1)), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The window duration of windowed DStream (1500 ms) must be a multiple of the slide duration "
                        + "of parent DStream (1000 ms)");
        assertThatThrownBy(() -> runKeyed(KEYED,
                s -> s.reduceByKeyAndWindow(Integer::sum, milliseconds(2500), seconds(1)), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The window duration of windowed DStream (2500 ms) must be a multiple of the slide duration "
                        + "of parent DStream (1000 ms)");
    }

    @Test
    void slideThatIsNotAMultipleOfTheBatchFailsAtStart() {
        assertThatThrownBy(() -> kit().run(List.of(List.of("a")),
                (DStream<String> s) -> s.countByValueAndWindow(seconds(3), milliseconds(1500)), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The slide duration of windowed DStream (1500 ms) must be a multiple of the slide duration "
                        + "of parent DStream (1000 ms)");
    }

    @Test
    void incrementalWindowsRefuseToStartWithoutCheckpointDirectory() {
        assertThatThrownBy(() -> kit().checkpoint(false).run(List.of(List.of("a")),
                (DStream<String> s) -> s.countByWindow(seconds(2), seconds(1)), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The checkpoint directory has not been set. "
                        + "Please set it by StreamingContext.checkpoint().");
    }

    @Test
    void recomputingWindowsNeedNoCheckpointDirectory() {
        var out = kit().checkpoint(false).run(List.of(List.of(1, 2)),
                (DStream<Integer> s) -> s.reduceByWindow(Integer::sum, seconds(2), seconds(1)), 2);
        assertThat(out.outputs()).containsExactly(List.of(3), List.of(3));
    }
}
