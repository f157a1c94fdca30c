package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.batch.HashPartitioner;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keyed per-batch operations of {@link PairDStream}: literal outputs per batch compared as sets, empty batches,
 * batches without data, and the number of result partitions of shuffle operations.
 */
class PairDStreamOperationsTest {
    private static final List<List<Pair<String, Integer>>> WORDS = List.of(
            List.of(Pair.of("a", 1), Pair.of("b", 2), Pair.of("a", 3), Pair.of("c", 4), Pair.of("a", 5)),
            List.of(),
            List.of(Pair.of("b", 10)));

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit(int partitions) {
        return StreamingTestKit.create().numPartitions(partitions);
    }

    private static <V extends Comparable<V>> List<V> sorted(Iterable<V> values) {
        var list = new ArrayList<V>();
        values.forEach(list::add);
        list.sort(null);
        return list;
    }

    private <T, R> StreamingTestKit.Result<R> runPairs(int partitions, List<List<T>> input,
                                                              java.util.function.Function<DStream<T>, DStream<R>> op,
                                                              int batches) {
        return kit(partitions).run(input, op, batches);
    }

    // ------------------------------------------------------------------ narrow

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void mapValuesTransformsValuesKeepingKeysAndOrder(int partitions) {
        var out = runPairs(partitions, WORDS, s -> PairDStream.of(s).mapValues(v -> v * 100), 3);
        assertThat(out.outputs()).containsExactly(
                List.of(Pair.of("a", 100), Pair.of("b", 200), Pair.of("a", 300), Pair.of("c", 400), Pair.of("a", 500)),
                List.of(),
                List.of(Pair.of("b", 1000)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void flatMapValuesEmitsOnePairPerProducedValue(int partitions) {
        var out = runPairs(partitions, List.of(List.of(Pair.of("k", "x y"), Pair.of("e", ""), Pair.of("j", "z")), List.of()),
                (DStream<Pair<String, String>> s) -> PairDStream.of(s).flatMapValues(
                        v -> v.isEmpty() ? List.<String>of().iterator() : Arrays.asList(v.split(" ")).iterator()), 2);
        assertThat(out.outputs()).containsExactly(
                List.of(Pair.of("k", "x"), Pair.of("k", "y"), Pair.of("j", "z")), List.of());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void flatMapToPairEmitsPairsInOrder(int partitions) {
        var out = runPairs(partitions, List.of(List.of("a b", "c"), List.<String>of()),
                (DStream<String> s) -> s.flatMapToPair(line -> Arrays.stream(line.split(" "))
                        .map(w -> Pair.of(w, line.length())).iterator()), 2);
        assertThat(out.outputs()).containsExactly(List.of(Pair.of("a", 3), Pair.of("b", 3), Pair.of("c", 1)), List.of());
    }

    // ------------------------------------------------------------------ aggregation by key

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void reduceByKeyCombinesTheValuesOfEachKeyPerBatch(int partitions) {
        var out = runPairs(partitions, WORDS, s -> PairDStream.of(s).reduceByKey(Integer::sum), 3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(Pair.of("a", 9), Pair.of("b", 2), Pair.of("c", 4));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("b", 10));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void groupByKeyGathersAllValuesOfEachKeyPerBatch(int partitions) {
        var out = runPairs(partitions, WORDS,
                s -> PairDStream.of(s).groupByKey().mapValues(PairDStreamOperationsTest::sorted), 3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", List.of(1, 3, 5)), Pair.of("b", List.of(2)), Pair.of("c", List.of(4)));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("b", List.of(10)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void combineByKeyBuildsPerKeySumAndCount(int partitions) {
        var out = runPairs(partitions, WORDS, s -> PairDStream.of(s).combineByKey(
                v -> Pair.of(v, 1),
                (Pair<Integer, Integer> acc, Integer v) -> Pair.of(acc.key() + v, acc.value() + 1),
                (Pair<Integer, Integer> x, Pair<Integer, Integer> y) -> Pair.of(x.key() + y.key(), x.value() + y.value())), 3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(9, 3)), Pair.of("b", Pair.of(2, 1)), Pair.of("c", Pair.of(4, 1)));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("b", Pair.of(10, 1)));
    }

    @Test
    void combineByKeyWithMutableCombinersCollectsEveryValueOnce() {
        var out = runPairs(3, WORDS, s -> PairDStream.of(s).combineByKey(
                v -> new ArrayList<>(List.of(v)),
                (ArrayList<Integer> acc, Integer v) -> {
                    acc.add(v);
                    return acc;
                },
                (ArrayList<Integer> x, ArrayList<Integer> y) -> {
                    x.addAll(y);
                    return x;
                }, 2).mapValues(PairDStreamOperationsTest::sorted), 1);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", List.of(1, 3, 5)), Pair.of("b", List.of(2)), Pair.of("c", List.of(4)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void countByKeyCountsThePairsOfEachKey(int partitions) {
        var out = runPairs(partitions, WORDS, s -> PairDStream.of(s).countByKey(), 3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(Pair.of("a", 3L), Pair.of("b", 1L), Pair.of("c", 1L));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("b", 1L));
    }

    @Test
    void keyedOperationsProduceNoBatchWhenTheInputHasNoData() {
        var input = List.of(StreamingTestKit.<Pair<String, Integer>>noData(), List.of(Pair.of("a", 1)));
        var out = runPairs(2, input, s -> PairDStream.of(s).reduceByKey(Integer::sum), 2);
        assertThat(out.times()).containsExactly(new Time(2000));
        assertThat(out.outputs()).containsExactly(List.of(Pair.of("a", 1)));
    }

    // ------------------------------------------------------------------ number of result partitions

    @Test
    void shuffleOperationsUseTheDefaultParallelismWhenNoPartitionCountIsGiven() {
        // local[2]: two task slots
        var out = runPairs(3, WORDS, s -> PairDStream.of(s).reduceByKey(Integer::sum).glom().count(), 1);
        assertThat(out.outputs()).containsExactly(List.of(2L));
    }

    @Test
    void shuffleOperationsProduceTheRequestedNumberOfPartitions() {
        StreamingTestKit.Result<Long> reduce = runPairs(1, WORDS,
                s -> PairDStream.of(s).reduceByKey(Integer::sum, 5).glom().count(), 2);
        assertThat(reduce.outputs()).containsExactly(List.of(5L), List.of(5L));
        assertThat(runPairs(1, WORDS, s -> PairDStream.of(s).groupByKey(3).glom().count(), 1).outputs())
                .containsExactly(List.of(3L));
        assertThat(runPairs(1, WORDS, s -> PairDStream.of(s).countByKey(4).glom().count(), 1).outputs())
                .containsExactly(List.of(4L));
        assertThat(runPairs(1, WORDS, s -> PairDStream.of(s).combineByKey(v -> v, Integer::sum, Integer::sum, 6)
                .glom().count(), 1).outputs()).containsExactly(List.of(6L));
        assertThat(runPairs(1, WORDS, s -> PairDStream.of(s).reduceByKey(Integer::sum, new HashPartitioner(7))
                .glom().count(), 1).outputs()).containsExactly(List.of(7L));
        assertThat(runPairs(1, List.of(List.of("x", "y", "x")), (DStream<String> s) -> s.countByValue(3).glom().count(), 1)
                .outputs()).containsExactly(List.of(3L));
    }

    @Test
    void reduceByKeyWithExplicitPartitionsPutsEachKeyInItsHashPartition() {
        var out = runPairs(1, List.of(List.of(Pair.of(0, 1), Pair.of(1, 1), Pair.of(2, 1), Pair.of(3, 1), Pair.of(3, 1))),
                (DStream<Pair<Integer, Integer>> s) -> PairDStream.of(s).reduceByKey(Integer::sum, 2).glom()
                        .map(p -> p.stream().sorted((x, y) -> x.key() - y.key()).toList()), 1);
        assertThat(out.outputs()).containsExactly(List.of(
                List.of(Pair.of(0, 1), Pair.of(2, 1)), List.of(Pair.of(1, 1), Pair.of(3, 2))));
    }

    // ------------------------------------------------------------------ joins

    private static final List<List<Pair<String, Integer>>> LEFT = List.of(
            List.of(Pair.of("a", 1), Pair.of("a", 2), Pair.of("b", 3)),
            List.of(Pair.of("a", 4)),
            List.of(),
            List.of(Pair.of("z", 9)));
    private static final List<List<Pair<String, String>>> RIGHT = List.of(
            List.of(Pair.of("a", "x"), Pair.of("a", "y"), Pair.of("c", "w")),
            List.of(),
            List.of(),
            List.of(Pair.of("z", "q")));

    private <R> StreamingTestKit.Result<R> joinRun(int partitions,
            java.util.function.BiFunction<PairDStream<String, Integer>, PairDStream<String, String>, DStream<R>> op) {
        return kit(partitions).run(LEFT, RIGHT, (DStream<Pair<String, Integer>> a, DStream<Pair<String, String>> b)
                -> op.apply(PairDStream.of(a), PairDStream.of(b)), 4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void joinPairsEveryValueOfAKeyWithEveryOtherValueOfIt(int partitions) {
        var out = joinRun(partitions, PairDStream::join);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(1, "x")), Pair.of("a", Pair.of(1, "y")),
                Pair.of("a", Pair.of(2, "x")), Pair.of("a", Pair.of(2, "y")));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).isEmpty();
        assertThat(out.outputs().get(3)).containsExactly(Pair.of("z", Pair.of(9, "q")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void leftOuterJoinKeepsLeftKeysWithoutMatch(int partitions) {
        var out = joinRun(partitions, PairDStream::leftOuterJoin);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(1, Optional.of("x"))), Pair.of("a", Pair.of(1, Optional.of("y"))),
                Pair.of("a", Pair.of(2, Optional.of("x"))), Pair.of("a", Pair.of(2, Optional.of("y"))),
                Pair.of("b", Pair.of(3, Optional.empty())));
        assertThat(out.outputs().get(1)).containsExactly(Pair.of("a", Pair.of(4, Optional.empty())));
        assertThat(out.outputs().get(2)).isEmpty();
        assertThat(out.outputs().get(3)).containsExactly(Pair.of("z", Pair.of(9, Optional.of("q"))));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void rightOuterJoinKeepsRightKeysWithoutMatch(int partitions) {
        var out = joinRun(partitions, PairDStream::rightOuterJoin);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(Optional.of(1), "x")), Pair.of("a", Pair.of(Optional.of(1), "y")),
                Pair.of("a", Pair.of(Optional.of(2), "x")), Pair.of("a", Pair.of(Optional.of(2), "y")),
                Pair.of("c", Pair.of(Optional.empty(), "w")));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).isEmpty();
        assertThat(out.outputs().get(3)).containsExactly(Pair.of("z", Pair.of(Optional.of(9), "q")));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void fullOuterJoinKeepsUnmatchedKeysOfBothSides(int partitions) {
        var out = joinRun(partitions, PairDStream::fullOuterJoin);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(Optional.of(1), Optional.of("x"))), Pair.of("a", Pair.of(Optional.of(1), Optional.of("y"))),
                Pair.of("a", Pair.of(Optional.of(2), Optional.of("x"))), Pair.of("a", Pair.of(Optional.of(2), Optional.of("y"))),
                Pair.of("b", Pair.of(Optional.of(3), Optional.empty())),
                Pair.of("c", Pair.of(Optional.empty(), Optional.of("w"))));
        assertThat(out.outputs().get(1)).containsExactly(Pair.of("a", Pair.of(Optional.of(4), Optional.empty())));
        assertThat(out.outputs().get(2)).isEmpty();
        assertThat(out.outputs().get(3)).containsExactly(Pair.of("z", Pair.of(Optional.of(9), Optional.of("q"))));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void cogroupGivesBothSidesValuesForEveryKey(int partitions) {
        var out = joinRun(partitions, (a, b) -> a.cogroup(b)
                .mapValues(g -> Pair.of(sorted(g.key()), sorted(g.value()))));
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(List.of(1, 2), List.of("x", "y"))),
                Pair.of("b", Pair.of(List.of(3), List.<String>of())),
                Pair.of("c", Pair.of(List.<Integer>of(), List.of("w"))));
        assertThat(out.outputs().get(1)).containsExactly(Pair.of("a", Pair.of(List.of(4), List.<String>of())));
        assertThat(out.outputs().get(2)).isEmpty();
        assertThat(out.outputs().get(3)).containsExactly(Pair.of("z", Pair.of(List.of(9), List.of("q"))));
    }

    @Test
    void joinsProduceTheRequestedNumberOfPartitions() {
        assertThat(joinRun(1, (a, b) -> a.join(b, 3).glom().count()).outputs())
                .containsExactly(List.of(3L), List.of(3L), List.of(3L), List.of(3L));
        assertThat(joinRun(2, (a, b) -> a.leftOuterJoin(b, 4).glom().count()).outputs().get(0)).containsExactly(4L);
        assertThat(joinRun(2, (a, b) -> a.rightOuterJoin(b, 5).glom().count()).outputs().get(0)).containsExactly(5L);
        assertThat(joinRun(2, (a, b) -> a.fullOuterJoin(b, 1).glom().count()).outputs().get(0)).containsExactly(1L);
        assertThat(joinRun(2, (a, b) -> a.cogroup(b, 6).glom().count()).outputs().get(0)).containsExactly(6L);
        assertThat(joinRun(2, (a, b) -> a.join(b, new HashPartitioner(7)).glom().count()).outputs().get(0))
                .containsExactly(7L);
    }

    @Test
    void joinWithAParentWithoutDataFailsThatBatchAndLaterBatchesStillRun() {
        var run = RecordingRun.run(kit(2), ssc -> PairDStream.of(new TestInputDStream<>(ssc,
                        List.of(List.of(Pair.of("a", 1)), List.of(Pair.of("a", 2))), 2))
                .join(PairDStream.of(new TestInputDStream<>(ssc,
                        List.of(StreamingTestKit.<Pair<String, String>>noData(), List.of(Pair.of("a", "x"))), 2))), 2);
        assertThat(run.outputs()).containsExactly(List.of(Pair.of("a", Pair.of(2, "x"))));
        assertThat(run.times()).containsExactly(new Time(2000));
        assertThat(run.failureAt(1000)).contains("Couldn't generate dataset from parent").contains("at time 1000 ms");
        assertThat(run.failureAt(2000)).isNull();
    }
}
