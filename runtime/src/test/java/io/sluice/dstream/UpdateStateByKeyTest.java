package io.sluice.dstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.Time;
import io.sluice.api.function.Function4;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.PairDataset;
import io.sluice.state.StateDataset;
import io.sluice.state.StatefulStream;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpdateStateByKeyTest {

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit() {
        return StreamingTestKit.create();
    }


    private static <T> List<Set<T>> asSets(List<List<T>> batches) {
        var sets = new ArrayList<Set<T>>();
        for (List<T> b : batches) {
            sets.add(new HashSet<>(b));
        }
        return sets;
    }

    /** State (sum of values, number of calls): shows that the function ran for the key in every batch. */
    private static Optional<Pair<Integer, Integer>> sumAndCalls(List<Integer> values, Optional<Pair<Integer, Integer>> s) {
        int sum = s.map(Pair::key).orElse(0);
        for (int v : values) {
            sum += v;
        }
        return Optional.of(Pair.of(sum, s.map(Pair::value).orElse(0) + 1));
    }

    private static Pair<String, Pair<Integer, Integer>> st(String key, int sum, int calls) {
        return Pair.of(key, Pair.of(sum, calls));
    }

    private static PairDStream<String, Integer> ones(DStream<String> words) {
        return words.mapToPair(w -> Pair.of(w, 1));
    }

    @Test
    void functionRunsForEveryKeyEveryBatchAlsoForEmptyAndNoDataBatches() {
        var out = kit().run(
                List.of(List.of("a", "b", "a"), List.of(), StreamingTestKit.noData(), List.of("b")),
                (DStream<String> s) -> ones(s).updateStateByKey(UpdateStateByKeyTest::sumAndCalls), 5);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(st("a", 2, 1), st("b", 1, 1)),
                Set.of(st("a", 2, 2), st("b", 1, 2)),
                Set.of(st("a", 2, 3), st("b", 1, 3)),
                Set.of(st("a", 2, 4), st("b", 2, 4)),
                Set.of(st("a", 2, 5), st("b", 2, 5)));
    }

    @Test
    void emptyResultRemovesTheKeyWhichThenStartsAfresh() {
        var out = kit().run(
                List.of(List.of("a"), List.of("a", "b"), List.of("a"), List.of("a")),
                (DStream<String> s) -> ones(s).<Integer>updateStateByKey((values, state) -> {
                    int n = state.orElse(0) + values.size();
                    return n >= 3 ? Optional.empty() : Optional.of(n);
                }), 5);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", 1)),
                Set.of(Pair.of("a", 2), Pair.of("b", 1)),
                Set.of(Pair.of("b", 1)),
                Set.of(Pair.of("a", 1), Pair.of("b", 1)),
                Set.of(Pair.of("a", 1), Pair.of("b", 1)));
    }

    @Test
    void initialStateSeedsTheStateBeforeTheFirstBatch() {
        var out = kit().runWith(ssc -> {
            PairDataset<String, Pair<Integer, Integer>> initial = ssc.context().parallelizePairs(
                    List.of(Pair.of("a", Pair.of(10, 0)), Pair.of("c", Pair.of(5, 0))), 2);
            var words = new TestInputDStream<>(ssc,
                    List.of(List.of("a", "b"), StreamingTestKit.<String>noData()), 2);
            return ones(words).updateStateByKey(UpdateStateByKeyTest::sumAndCalls, new HashPartitioner(3), initial);
        }, 3);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(st("a", 11, 1), st("b", 1, 1), st("c", 5, 1)),
                Set.of(st("a", 11, 2), st("b", 1, 2), st("c", 5, 2)),
                Set.of(st("a", 11, 3), st("b", 1, 3), st("c", 5, 3)));
    }

    @Test
    void initialStateIsEmittedEvenWhenTheFirstBatchHasNoData() {
        var out = kit().runWith(ssc -> {
            var initial = ssc.context().parallelizePairs(List.of(Pair.of("c", Pair.of(5, 0))), 1);
            var words = new TestInputDStream<>(ssc,
                    List.of(StreamingTestKit.<String>noData(), List.of("a")), 2);
            return ones(words).updateStateByKey(UpdateStateByKeyTest::sumAndCalls, new HashPartitioner(2), initial);
        }, 2);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(st("c", 5, 1)),
                Set.of(st("a", 1, 1), st("c", 5, 2)));
    }

    @Test
    void timeAwareFunctionGetsTheBatchTimeAndKey() {
        Function4<Time, String, List<Integer>, Optional<String>, Optional<String>> log = (time, key, values, state) ->
                Optional.of(state.map(s -> s + ",").orElse(key + ":") + time.milliseconds() / 1000 + "x" + values.size());
        var out = kit().run(List.of(List.of("a"), List.of(), List.of("b", "a")),
                (DStream<String> s) -> ones(s).updateStateByKey(log, new HashPartitioner(2), null), 3);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", "a:1x1")),
                Set.of(Pair.of("a", "a:1x1,2x0")),
                Set.of(Pair.of("a", "a:1x1,2x0,3x1"), Pair.of("b", "b:3x1")));
    }

    @Test
    void stateOverSeveralInputPartitionsIntoThreeStatePartitions() {
        var out = kit().numPartitions(3).run(
                List.of(List.of("a", "b", "c", "d", "e", "a", "b"), List.of("a", "f")),
                (DStream<String> s) -> ones(s).<Integer>updateStateByKey(
                        (values, state) -> Optional.of(state.orElse(0) + values.size()), 3).glom(), 2);
        assertThat(out.outputs()).allSatisfy(partitions -> assertThat(partitions).hasSize(3));
        var all = new HashSet<Pair<String, Integer>>();
        out.outputs().get(1).forEach(all::addAll);
        assertThat(all).containsExactlyInAnyOrder(Pair.of("a", 3), Pair.of("b", 2), Pair.of("c", 1), Pair.of("d", 1),
                Pair.of("e", 1), Pair.of("f", 1));
    }

    @Test
    void refusesToStartWithoutCheckpointDirectory() {
        assertThatThrownBy(() -> kit().checkpoint(false).run(List.of(List.of("a")),
                (DStream<String> s) -> ones(s).<Integer>updateStateByKey((v, st) -> Optional.of(v.size())), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The checkpoint directory has not been set. "
                        + "Please set it by StreamingContext.checkpoint().");
    }

    @Test
    void operatorIdIsTheUserNameOrDerivedFromTheGraphPosition() {
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var words = ones(new TestInputDStream<>(ssc, List.of(List.of("a")), 2));
            var named = words.<Integer>updateStateByKey((v, s) -> Optional.of(v.size())).name("wordCounts");
            var unnamed = words.<Integer>updateStateByKey((v, s) -> Optional.of(v.size()));
            named.foreachRDD(ds -> ds.collect());
            unnamed.foreachRDD(ds -> ds.collect());
            harness.runBatches(1);
            var namedState = (StatefulStream) named.unwrap();
            var unnamedState = (StatefulStream) unnamed.unwrap();
            assertThat(namedState.operatorId()).isEqualTo("wordCounts");
            assertThat(namedState.stateStore().operatorId()).isEqualTo("wordCounts");
            assertThat(unnamedState.operatorId()).isEqualTo("updateStateByKey-" + unnamed.unwrap().id());
        }
    }

    @Test
    void twoStatefulOperationsWithTheSameNameFailAtStart() {
        assertThatThrownBy(() -> kit().runWith(ssc -> {
            var words = ones(new TestInputDStream<>(ssc, List.of(List.of("a")), 2));
            var first = words.<Integer>updateStateByKey((v, s) -> Optional.of(v.size())).name("counts");
            var second = words.<Integer>updateStateByKey((v, s) -> Optional.of(1)).name("counts");
            return first.union(second);
        }, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Two stateful operations have the operator id 'counts'");
    }

    @Test
    void eachBatchStateDatasetDropsThePreviousBatchFromItsLineage() {
        var lineageLines = new ArrayList<Integer>();
        var previousInLineage = new ArrayList<Boolean>();
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var batches = new ArrayList<List<String>>();
            for (int i = 0; i < 25; i++) {
                batches.add(List.of("a", "b", "w" + (i % 7)));
            }
            var counts = ones(new TestInputDStream<>(ssc, batches, 2))
                    .<Integer>updateStateByKey((v, s) -> Optional.of(s.orElse(0) + v.size()));
            counts.foreachRDD(ds -> {
                ds.collect();
                lineageLines.add(ds.toDebugString().split("\n").length);
                previousInLineage.add(ds.dependencies().stream()
                        .anyMatch(d -> d.parent() instanceof StateDataset<?, ?>));
            });
            harness.runBatches(25);
            var store = ((StatefulDStream<String, Integer>) counts.unwrap()).stateStore();
            if (ssc.context().runsTasksOnExecutors()) {
                assertThat(store.size()).as("on executors the state lives in their stores, not the driver's").isZero();
            } else {
                // old versions are forgotten with their batches, except those since the oldest version due to be
                // saved (every 10 s here) that the background save has not written yet: at most 10..25
                for (int p = 0; p < store.numPartitions(); p++) {
                    assertThat(store.retainedVersions(p)).isLessThanOrEqualTo(16);
                }
                assertThat(store.size()).isEqualTo(9);
            }
        }
        assertThat(lineageLines).hasSize(25);
        assertThat(lineageLines.subList(1, 25)).allMatch(n -> n.equals(lineageLines.get(1)));
        assertThat(previousInLineage).containsOnly(false);
    }

    @Test
    void partitionsThatOutputsDoNotReadAreWrittenBeforeTheirLineageGrowsPastTheCheckpointInterval() {
        var pending = new ArrayList<Integer>();
        var last = new ArrayList<StateDataset<String, Integer>>();
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var batches = new ArrayList<List<String>>();
            for (int i = 0; i < 30; i++) {
                batches.add(List.of("a", "b", "c", "d", "e", "f", "g", "h"));
            }
            var counts = ones(new TestInputDStream<>(ssc, batches, 2))
                    .<Integer>updateStateByKey((v, s) -> Optional.of(s.orElse(0) + v.size()), 4);
            counts.foreachRDD(ds -> {
                ds.take(1); // reads only the first non-empty partition, like print()
                @SuppressWarnings("unchecked") var state = (StateDataset<String, Integer>) ds;
                pending.add(state.pendingVersions());
                last.clear();
                last.add(state);
            });
            harness.runBatches(30);
            // at most one checkpoint interval of versions (two on executors, where the background saves of the
            // state bound the lineage and this is the backstop when they lag)
            int bound = ssc.context().runsTasksOnExecutors() ? 20 : 10;
            assertThat(pending).allMatch(n -> n <= bound);
            assertThat(last.get(0).collect()).containsExactlyInAnyOrder(Pair.of("a", 30), Pair.of("b", 30),
                    Pair.of("c", 30), Pair.of("d", 30), Pair.of("e", 30), Pair.of("f", 30), Pair.of("g", 30),
                    Pair.of("h", 30));
        }
    }
}
