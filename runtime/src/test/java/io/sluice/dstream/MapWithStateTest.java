package io.sluice.dstream;

import static io.sluice.api.Durations.seconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class MapWithStateTest {

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

    private static List<List<String>> sorted(List<List<String>> batches) {
        var result = new ArrayList<List<String>>();
        for (List<String> b : batches) {
            var copy = new ArrayList<>(b);
            copy.sort(null);
            result.add(copy);
        }
        return result;
    }

    /** Counts words; returns "word=count" for every record. */
    private static final StateSpec<String, Integer, Long, String> RUNNING_COUNT =
            StateSpec.function((String word, Optional<Integer> one, State<Long> state) -> {
                long n = state.getOption().orElse(0L) + one.orElse(0);
                state.update(n);
                return Optional.of(word + "=" + n);
            });

    /** Counts words silently; reports "word timed out at count" once, when the word times out. */
    private static StateSpec<String, Integer, Long, String> countingWithTimeout(long timeoutSeconds) {
        return StateSpec.<String, Integer, Long, String>function((word, one, state) -> {
            if (state.isTimingOut()) {
                return Optional.of(word + " timed out at " + state.get());
            }
            state.update(state.getOption().orElse(0L) + one.orElse(0));
            return Optional.empty();
        }).timeout(seconds(timeoutSeconds));
    }

    private <R> StreamingTestKit.Result<R> run(List<List<String>> words,
                                                      Function<PairDStream<String, Integer>, DStream<R>> op,
                                                      int batches) {
        return kit().run(words, (DStream<String> s) -> op.apply(s.mapToPair(w -> Pair.of(w, 1))),
                batches);
    }

    @Test
    void mappingFunctionRunsOncePerRecordAndItsResultsAreTheBatch() {
        var out = run(List.of(List.of("a", "b", "a"), List.of(), List.of("b")), s -> s.mapWithState(RUNNING_COUNT), 3);
        assertThat(sorted(out.outputs())).containsExactly(List.of("a=1", "a=2", "b=1"), List.of(), List.of("b=2"));
    }

    @Test
    void stateSnapshotsEmitTheWholeStateEveryBatch() {
        var out = run(List.of(List.of("a", "b", "a"), List.of(), List.of("b")),
                s -> s.mapWithState(RUNNING_COUNT).stateSnapshots(), 4);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of(Pair.of("a", 2L), Pair.of("b", 1L)),
                Set.of(Pair.of("a", 2L), Pair.of("b", 1L)),
                Set.of(Pair.of("a", 2L), Pair.of("b", 2L)),
                Set.of(Pair.of("a", 2L), Pair.of("b", 2L)));
    }

    @Test
    void idleKeyGetsExactlyOneTimingOutCallAndIsThenRemoved() {
        var input = List.of(List.of("a", "b"), List.of("b"), List.of("b", "b"));
        var mapped = run(input, s -> s.mapWithState(countingWithTimeout(2)), 9);
        var snapshots = run(input, s -> s.mapWithState(countingWithTimeout(2)).stateSnapshots(), 9);
        // a: last data at 1 s, idle longer than 2 s at 4 s; b: last data at 3 s, times out at 6 s
        assertThat(mapped.outputs()).containsExactly(List.of(), List.of(), List.of(), List.of("a timed out at 1"),
                List.of(), List.of("b timed out at 4"), List.of(), List.of(), List.of());
        assertThat(asSets(snapshots.outputs())).containsExactly(
                Set.of(Pair.of("a", 1L), Pair.of("b", 1L)),
                Set.of(Pair.of("a", 1L), Pair.of("b", 2L)),
                Set.of(Pair.of("a", 1L), Pair.of("b", 4L)),
                Set.of(Pair.of("b", 4L)),
                Set.of(Pair.of("b", 4L)),
                Set.of(), Set.of(), Set.of(), Set.of());
    }

    @Test
    void dataForAKeyKeepsItFromTimingOutEvenWithoutAnUpdate() {
        var spec = StateSpec.<String, Integer, Long, String>function((word, one, state) -> {
            if (state.isTimingOut()) {
                return Optional.of(word + " timed out");
            }
            if (!state.exists()) {
                state.update(1L);
            }
            return Optional.empty();
        }).timeout(seconds(1));
        var out = run(List.of(List.of("a"), List.of("a"), List.of("a"), List.of()), s -> s.mapWithState(spec), 5);
        assertThat(out.outputs()).containsExactly(List.of(), List.of(), List.of(), List.of(), List.of("a timed out"));
    }

    @Test
    void initialStateSeedsTheStateAndUntouchedKeysAppearInEverySnapshot() {
        Function<StreamingContext, MapWithStateDStream<String, Integer, Long, String>> build = ssc -> {
            var initial = ssc.context().parallelizePairs(List.of(Pair.of("a", 10L), Pair.of("z", 7L)), 2);
            return new TestInputDStream<>(ssc, List.of(List.of("a"), List.of()), 2)
                    .mapToPair(w -> Pair.of(w, 1))
                    .mapWithState(RUNNING_COUNT.initialState(initial).numPartitions(3));
        };
        var mapped = kit().runWith(build::apply, 2);
        var snapshots = kit().runWith(ssc -> build.apply(ssc).stateSnapshots(), 2);
        assertThat(mapped.outputs()).containsExactly(List.of("a=11"), List.of());
        assertThat(asSets(snapshots.outputs())).containsExactly(
                Set.of(Pair.of("a", 11L), Pair.of("z", 7L)),
                Set.of(Pair.of("a", 11L), Pair.of("z", 7L)));
    }

    @Test
    void removeDeletesTheKeysState() {
        var spec = StateSpec.<String, Integer, Integer, String>function((key, value, state) -> {
            if (value.orElseThrow() == 0) {
                state.remove();
                return Optional.of(key + " removed, exists=" + state.exists());
            }
            state.update(state.getOption().orElse(0) + value.get());
            return Optional.empty();
        });
        var out = kit().run(
                List.of(List.of(Pair.of("a", 1), Pair.of("b", 1)), List.of(Pair.of("a", 0)), List.of(Pair.of("a", 5))),
                (DStream<Pair<String, Integer>> s) -> {
                    var mapped = PairDStream.of(s).mapWithState(spec);
                    return mapped.stateSnapshots().map(Pair::toString).union(mapped);
                }, 3);
        assertThat(asSets(out.outputs())).containsExactly(
                Set.of("(a,1)", "(b,1)"),
                Set.of("(b,1)", "a removed, exists=false"),
                Set.of("(a,5)", "(b,1)"));
    }

    @Test
    void changingARemovedOrTimingOutStateIsAnError() {
        var spec = StateSpec.<String, Integer, Long, String>function((key, value, state) -> {
            if (state.isTimingOut()) {
                var errors = new ArrayList<String>();
                try {
                    state.update(0L);
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
                try {
                    state.remove();
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
                return Optional.of(key + ": " + String.join("; ", errors));
            }
            if (value.orElseThrow() == 0) {
                state.remove();
                try {
                    state.update(1L);
                    return Optional.of("no error");
                } catch (IllegalArgumentException e) {
                    return Optional.of(key + ": " + e.getMessage());
                }
            }
            state.update(1L);
            return Optional.empty();
        }).timeout(seconds(1));
        var out = kit().run(
                List.of(List.of(Pair.of("a", 1), Pair.of("b", 1)), List.of(Pair.of("a", 0))),
                (DStream<Pair<String, Integer>> s) -> PairDStream.of(s).mapWithState(spec), 3);
        assertThat(out.outputs()).containsExactly(
                List.of(),
                List.of("a: requirement failed: Cannot update the state after it has been removed"),
                List.of("b: requirement failed: Cannot update the state that is timing out; "
                        + "requirement failed: Cannot remove the state that is timing out"));
    }

    @Test
    void timeAwareFunctionGetsTheBatchTime() {
        var spec = StateSpec.<String, Integer, Integer, String>function(
                (Time time, String key, Optional<Integer> value, State<Integer> state) -> {
                    state.update(state.getOption().orElse(0) + 1);
                    return Optional.of(key + "@" + time);
                });
        var out = run(List.of(List.of("a"), List.of(), List.of("a")), s -> s.mapWithState(spec), 3);
        assertThat(out.outputs()).containsExactly(List.of("a@1000 ms"), List.of(), List.of("a@3000 ms"));
    }

    @Test
    void stateIsPartitionedAsTheSpecSaysAndNamedAfterTheStream() {
        try (var harness = kit().numPartitions(3).open()) {
            var ssc = harness.context();
            var mapped = new TestInputDStream<>(ssc, List.of(List.of("a", "b", "c", "d", "e", "f", "a")), 3)
                    .mapToPair(w -> Pair.of(w, 1))
                    .mapWithState(RUNNING_COUNT.numPartitions(4));
            mapped.name("wordCounts");
            var snapshots = new ArrayList<List<List<Pair<String, Long>>>>();
            mapped.stateSnapshots().glom().foreachRDD(ds -> snapshots.add(ds.collect()));
            harness.runBatches(1);
            assertThat(mapped.stateStore().operatorId()).isEqualTo("wordCounts");
            assertThat(mapped.stateStore().numPartitions()).isEqualTo(4);
            assertThat(snapshots.get(0)).hasSize(4);
            var all = new HashSet<Pair<String, Long>>();
            snapshots.get(0).forEach(all::addAll);
            assertThat(all).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 1L), Pair.of("c", 1L),
                    Pair.of("d", 1L), Pair.of("e", 1L), Pair.of("f", 1L));
        }
    }

    @Test
    void refusesToStartWithoutCheckpointDirectory() {
        assertThatThrownBy(() -> kit().checkpoint(false).run(List.of(List.of("a")),
                (DStream<String> s) -> s.mapToPair(w -> Pair.of(w, 1)).mapWithState(RUNNING_COUNT), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The checkpoint directory has not been set. "
                        + "Please set it by StreamingContext.checkpoint().");
    }

    @Test
    void mappedOutputAndSnapshotsReadTheSameStateVersionWhicheverIsReadFirst() {
        var seen = new ArrayList<String>();
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var mapped = new TestInputDStream<>(ssc, List.of(List.of("a", "b"), List.of("a")), 2)
                    .mapToPair(w -> Pair.of(w, 1))
                    .mapWithState(RUNNING_COUNT);
            mapped.stateSnapshots().foreachRDD((ds, t) -> seen.add(t + " snapshot " + new HashSet<>(ds.collect())));
            mapped.foreachRDD((ds, t) -> seen.add(t + " mapped " + new HashSet<>(ds.collect())));
            mapped.foreachRDD((ds, t) -> seen.add(t + " mapped again " + new HashSet<>(ds.collect())));
            harness.runBatches(2);
        }
        assertThat(seen).containsExactly(
                "1000 ms snapshot " + new HashSet<>(List.of(Pair.of("a", 1L), Pair.of("b", 1L))),
                "1000 ms mapped " + new HashSet<>(List.of("a=1", "b=1")),
                "1000 ms mapped again " + new HashSet<>(List.of("a=1", "b=1")),
                "2000 ms snapshot " + new HashSet<>(List.of(Pair.of("a", 2L), Pair.of("b", 1L))),
                "2000 ms mapped " + new HashSet<>(List.of("a=2")),
                "2000 ms mapped again " + new HashSet<>(List.of("a=2")));
    }

    @Test
    void snapshotOfAnEarlierBatchIsReadableAfterALaterOneWasWritten() {
        var windows = new ArrayList<List<Pair<String, Long>>>();
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var mapped = new TestInputDStream<>(ssc, List.of(List.of("a"), List.of("a", "b"), List.of("b")), 2)
                    .mapToPair(w -> Pair.of(w, 1))
                    .mapWithState(RUNNING_COUNT);
            // the first job of each batch writes its state; the second then also reads the previous batch's
            mapped.foreachRDD(ds -> ds.count());
            mapped.stateSnapshots().window(seconds(2), seconds(1)).foreachRDD(ds -> windows.add(ds.collect()));
            harness.runBatches(3);
        }
        assertThat(windows).hasSize(3);
        assertThat(windows.get(0)).containsExactlyInAnyOrder(Pair.of("a", 1L));
        assertThat(windows.get(1)).containsExactlyInAnyOrder(Pair.of("a", 1L), Pair.of("a", 2L), Pair.of("b", 1L));
        assertThat(windows.get(2)).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 1L), Pair.of("a", 2L),
                Pair.of("b", 2L));
    }
}
