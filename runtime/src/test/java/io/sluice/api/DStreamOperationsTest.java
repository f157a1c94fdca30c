package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.batch.Dataset;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The per-batch behaviour of every element-wise and driver-side DStream transformation: literal outputs per batch,
 * empty batches (an empty output batch, {@code [0]} for count) and batches for which the input has no data at all.
 */
class DStreamOperationsTest {
    private static final List<Time> THREE_BATCHES = List.of(new Time(1000), new Time(2000), new Time(3000));

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit(int partitions) {
        return StreamingTestKit.create().numPartitions(partitions);
    }

    // ------------------------------------------------------------------ map, flatMap, filter

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void mapTransformsEveryElementInOrderAndKeepsEmptyBatches(int partitions) {
        var out = kit(partitions).run(List.of(List.of(1, 2, 3, 4), List.<Integer>of(), List.of(5)),
                (DStream<Integer> s) -> s.map(x -> "v" + x), 3);
        assertThat(out.outputs()).containsExactly(List.of("v1", "v2", "v3", "v4"), List.of(), List.of("v5"));
        assertThat(out.times()).isEqualTo(THREE_BATCHES);
    }

    @Test
    void mapProducesNoBatchWhenTheInputHasNoData() {
        var out = kit(2).run(List.of(List.of(1), StreamingTestKit.<Integer>noData(), List.of(3)),
                (DStream<Integer> s) -> s.map(x -> x * 10), 3);
        assertThat(out.outputs()).containsExactly(List.of(10), List.of(30));
        assertThat(out.times()).containsExactly(new Time(1000), new Time(3000));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void flatMapEmitsZeroOrMoreElementsPerInputInOrder(int partitions) {
        var out = kit(partitions).run(List.of(List.of("a b", "", "c d e"), List.<String>of(), List.of("")),
                (DStream<String> s) -> s.flatMap(l -> l.isEmpty() ? Collections.<String>emptyIterator()
                        : Arrays.asList(l.split(" ")).iterator()), 3);
        assertThat(out.outputs()).containsExactly(List.of("a", "b", "c", "d", "e"), List.of(), List.of());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void filterKeepsMatchingElementsInOrderAndMayEmptyABatch(int partitions) {
        var out = kit(partitions).run(List.of(List.of(1, 2, 3, 4, 5, 6), List.of(1, 3), List.<Integer>of()),
                (DStream<Integer> s) -> s.filter(x -> x % 2 == 0), 3);
        assertThat(out.outputs()).containsExactly(List.of(2, 4, 6), List.of(), List.of());
    }

    // ------------------------------------------------------------------ partition-wise

    @Test
    void mapPartitionsSeesEachContiguousPartitionAsAWhole() {
        var input = List.of(List.of(1, 2, 3, 4), List.<Integer>of(), List.of(5, 6, 7, 8, 9));
        DStreamFn<Integer, Integer> sums = s -> s.mapPartitions(it -> {
            int sum = 0;
            while (it.hasNext()) {
                sum += it.next();
            }
            return List.of(sum).iterator();
        });
        // 2 partitions: [1,2][3,4]; an empty batch still has its 2 (empty) partitions; [5,6][7,8,9]
        assertThat(kit(2).run(input, sums, 3).outputs())
                .containsExactly(List.of(3, 7), List.of(0, 0), List.of(11, 24));
        assertThat(kit(1).run(input, sums, 3).outputs())
                .containsExactly(List.of(10), List.of(0), List.of(35));
    }

    @Test
    void glomReturnsOneListPerContiguousPartition() {
        var input = List.of(List.of(1, 2, 3, 4), List.of(1, 2, 3, 4, 5), List.<Integer>of());
        DStreamFn<Integer, List<Integer>> glom = DStream::glom;
        assertThat(kit(2).run(input, glom, 3).outputs()).containsExactly(
                List.of(List.of(1, 2), List.of(3, 4)),
                List.of(List.of(1, 2), List.of(3, 4, 5)),
                List.of(List.of(), List.of()));
        assertThat(kit(3).run(input, glom, 2).outputs()).containsExactly(
                List.of(List.of(1), List.of(2), List.of(3, 4)),
                List.of(List.of(1), List.of(2, 3), List.of(4, 5)));
        assertThat(kit(1).run(input, glom, 1).outputs()).containsExactly(List.of(List.of(1, 2, 3, 4)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5})
    void repartitionGivesExactlyThatManyPartitionsHoldingEveryElement(int target) {
        var data = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
        var out = kit(3).run(List.of(data, List.<Integer>of()),
                (DStream<Integer> s) -> s.repartition(target).glom(), 2);
        List<List<Integer>> partitions = out.outputs().get(0);
        assertThat(partitions).hasSize(target);
        var all = new ArrayList<Integer>();
        partitions.forEach(all::addAll);
        assertThat(all).containsExactlyInAnyOrderElementsOf(data);
        assertThat(out.outputs().get(1)).hasSize(target).allSatisfy(p -> assertThat(p).isEmpty());
    }

    @Test
    void repartitionSpreadsElementsOverAllPartitions() {
        var out = kit(1).run(List.of(List.of(1, 2, 3, 4, 5, 6, 7, 8)),
                (DStream<Integer> s) -> s.repartition(4).glom().map(List::size), 1);
        assertThat(out.outputs()).containsExactly(List.of(2, 2, 2, 2));
    }

    // ------------------------------------------------------------------ union

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void unionConcatenatesTheSameBatchOfBothStreamsInOrder(int partitions) {
        var out = kit(partitions).run(
                List.of(List.of(1, 2), List.<Integer>of(), List.of(3)),
                List.of(List.of(10, 20, 30), List.of(40), List.<Integer>of()),
                DStream::union, 3);
        assertThat(out.outputs()).containsExactly(List.of(1, 2, 10, 20, 30), List.of(40), List.of(3));
    }

    @Test
    void contextUnionOfThreeStreamsKeepsStreamOrder() {
        var out = kit(2).runWith(ssc -> ssc.union(
                new TestInputDStream<>(ssc, List.of(List.of("a1", "a2"), List.of("a3")), 2),
                new TestInputDStream<>(ssc, List.of(List.<String>of(), List.of("b1")), 2),
                new TestInputDStream<>(ssc, List.of(List.of("c1"), List.of("c2", "c3")), 2)), 2);
        assertThat(out.outputs()).containsExactly(List.of("a1", "a2", "c1"), List.of("a3", "b1", "c2", "c3"));
    }

    @Test
    void unionWithAParentWithoutDataFailsThatBatchAndLaterBatchesStillRun() {
        var run = RecordingRun.run(kit(2), ssc -> new TestInputDStream<>(ssc,
                        List.of(List.of(1), List.of(2), List.of(3)), 2)
                .union(new TestInputDStream<>(ssc, List.of(List.of(10), StreamingTestKit.<Integer>noData(), List.of(30)), 2)),
                3);
        assertThat(run.outputs()).containsExactly(List.of(1, 10), List.of(3, 30));
        assertThat(run.times()).containsExactly(new Time(1000), new Time(3000));
        assertThat(run.failureAt(2000)).contains("Could not generate dataset from a parent for unifying at time 2000 ms");
        assertThat(run.failureAt(1000)).isNull();
        assertThat(run.failureAt(3000)).isNull();
    }

    // ------------------------------------------------------------------ counting and reducing

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void countIsOneElementPerBatchAndZeroForAnEmptyBatch(int partitions) {
        var out = kit(partitions).run(List.of(List.of("a", "b", "c", "d", "e"), List.<String>of(), List.of("x")),
                (DStream<String> s) -> s.count(), 3);
        assertThat(out.outputs()).containsExactly(List.of(5L), List.of(0L), List.of(1L));
    }

    @Test
    void countProducesNoBatchWhenTheInputHasNoData() {
        var out = kit(2).run(List.of(List.of(1, 2), StreamingTestKit.<Integer>noData()),
                (DStream<Integer> s) -> s.count(), 2);
        assertThat(out.outputs()).containsExactly(List.of(2L));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void countByValueCountsEachDistinctElement(int partitions) {
        var out = kit(partitions).run(List.of(List.of("a", "b", "a", "c", "a", "b"), List.<String>of(), List.of("z")),
                (DStream<String> s) -> s.countByValue(), 3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(Pair.of("a", 3L), Pair.of("b", 2L), Pair.of("c", 1L));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("z", 1L));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void reduceGivesOneElementPerBatchAndNothingForAnEmptyBatch(int partitions) {
        var out = kit(partitions).run(List.of(List.of(1, 2, 3, 4, 5), List.<Integer>of(), List.of(7)),
                (DStream<Integer> s) -> s.reduce(Integer::sum), 3);
        assertThat(out.outputs()).containsExactly(List.of(15), List.of(), List.of(7));
        assertThat(out.times()).isEqualTo(THREE_BATCHES);
    }

    // ------------------------------------------------------------------ transform

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void transformAppliesADatasetFunctionToEachBatch(int partitions) {
        var out = kit(partitions).run(List.of(List.of(3, 1, 2), List.<Integer>of(), List.of(5, 4)),
                (DStream<Integer> s) -> s.transform(ds -> ds.map(x -> x * 2).filter(x -> x > 2)), 3);
        assertThat(out.outputs()).containsExactly(List.of(6, 4), List.of(), List.of(10, 8));
    }

    @Test
    void transformWithTimeGetsEachBatchTime() {
        var seen = new CopyOnWriteArrayList<Time>();
        var out = kit(2).run(List.of(List.of(1, 2), List.of(3), List.<Integer>of()),
                (DStream<Integer> s) -> s.transform((ds, time) -> {
                    seen.add(time);
                    long t = time.milliseconds();
                    return ds.map(x -> t + x);
                }), 3);
        assertThat(seen).isEqualTo(THREE_BATCHES);
        assertThat(out.outputs()).containsExactly(List.of(1001L, 1002L), List.of(2003L), List.of());
    }

    @Test
    void transformReturningNullFailsThatBatchWithAClearMessage() {
        var run = RecordingRun.run(kit(2), ssc -> new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2), List.of(3)), 2)
                .transform((ds, time) -> time.milliseconds() == 2000 ? null : ds), 3);
        assertThat(run.outputs()).containsExactly(List.of(1), List.of(3));
        assertThat(run.failureAt(2000)).contains("The transform function returned null at time 2000 ms");
        assertThat(run.failureAt(3000)).isNull();
    }

    @Test
    void aTransformFunctionThatThrowsFailsOnlyThatBatch() {
        var run = RecordingRun.run(kit(2), ssc -> new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2), List.of(3)), 2)
                .transform((ds, time) -> {
                    if (time.milliseconds() == 1000) {
                        throw new java.io.IOException("lookup table unavailable");
                    }
                    if (time.milliseconds() == 2000) {
                        throw new IllegalStateException("bad batch");
                    }
                    return ds;
                }), 3);
        assertThat(run.outputs()).containsExactly(List.of(3));
        assertThat(run.failureAt(1000)).contains("java.io.IOException: lookup table unavailable");
        assertThat(run.failureAt(2000)).contains("java.lang.IllegalStateException: bad batch");
        assertThat(run.failureAt(3000)).isNull();
    }

    @Test
    void transformOfAParentWithoutDataFailsThatBatch() {
        var run = RecordingRun.run(kit(2), ssc -> new TestInputDStream<>(ssc,
                        List.of(StreamingTestKit.<Integer>noData(), List.of(2)), 2)
                .transform(ds -> ds.map(x -> x + 1)), 2);
        assertThat(run.outputs()).containsExactly(List.of(3));
        assertThat(run.failureAt(1000)).contains("Couldn't generate dataset from parent").contains("at time 1000 ms");
        assertThat(run.failureAt(2000)).isNull();
    }

    @Test
    void transformToPairGivesAPairStream() {
        var out = kit(2).run(List.of(List.of("a", "bb", "a")),
                (DStream<String> s) -> s.<String, Integer>transformToPair(ds -> ds.mapToPair(w -> Pair.of(w, w.length())))
                        .reduceByKey(Integer::sum), 1);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(Pair.of("a", 2), Pair.of("bb", 2));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void transformWithCombinesTheSameBatchOfTwoStreams(int partitions) {
        var out = kit(partitions).run(
                List.of(List.of(1, 2), List.<Integer>of(), List.of(3)),
                List.of(List.of("x"), List.of("y", "z"), List.<String>of()),
                (DStream<Integer> a, DStream<String> b) -> a.transformWith(b,
                        (Dataset<Integer> da, Dataset<String> db) -> da.map(i -> "n" + i).union(db)), 3);
        assertThat(out.outputs()).containsExactly(List.of("n1", "n2", "x"), List.of("y", "z"), List.of("n3"));
    }

    @Test
    void transformWithWithTimeGetsEachBatchTime() {
        var seen = new CopyOnWriteArrayList<Time>();
        var out = kit(1).run(List.of(List.of(1), List.of(2)), List.of(List.of(10), List.of(20)),
                (DStream<Integer> a, DStream<Integer> b) -> a.transformWith(b,
                        (Dataset<Integer> da, Dataset<Integer> db, Time time) -> {
                            seen.add(time);
                            return da.union(db).map(x -> x + time.milliseconds());
                        }), 2);
        assertThat(seen).containsExactly(new Time(1000), new Time(2000));
        assertThat(out.outputs()).containsExactly(List.of(1001L, 1010L), List.of(2002L, 2020L));
    }

    @Test
    void transformWithAParentWithoutDataFailsThatBatchAndLaterBatchesStillRun() {
        var run = RecordingRun.run(kit(2), ssc -> new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2)), 2)
                .transformWith(new TestInputDStream<>(ssc, List.of(StreamingTestKit.<Integer>noData(), List.of(20)), 2),
                        (Dataset<Integer> a, Dataset<Integer> b) -> a.union(b)), 2);
        assertThat(run.outputs()).containsExactly(List.of(2, 20));
        assertThat(run.failureAt(1000)).contains("Couldn't generate dataset from parent").contains("transformWith");
        assertThat(run.failureAt(2000)).isNull();
    }

    /** A one-input operation, typed so that lambdas need no casts. */
    interface DStreamFn<T, R> extends java.util.function.Function<DStream<T>, DStream<R>> {
    }
}
