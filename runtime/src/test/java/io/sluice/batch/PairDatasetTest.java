package io.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.conf.SluiceConf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The keyed operations of {@link PairDataset}, with literal results (keyed results compared as sets). */
class PairDatasetTest {
    private static SluiceContext sc;

    @BeforeAll
    static void startContext() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("pair-dataset-test"));
    }

    @AfterAll
    static void stopContext() {
        sc.close();
    }

    @SafeVarargs
    private static <K, V> PairDataset<K, V> pairs(int slices, Pair<K, V>... data) {
        return sc.parallelizePairs(List.of(data), slices);
    }

    /** [(a,1),(a,2)] [(a,3),(b,4)] [(c,5),(b,6)] */
    private static PairDataset<String, Integer> sample() {
        return pairs(3, Pair.of("a", 1), Pair.of("a", 2), Pair.of("a", 3), Pair.of("b", 4), Pair.of("c", 5), Pair.of("b", 6));
    }

    private static <V extends Comparable<V>> List<V> sorted(Iterable<V> values) {
        var list = new ArrayList<V>();
        values.forEach(list::add);
        list.sort(null);
        return list;
    }

    // ------------------------------------------------------------------ aggregation by key

    @Test
    void reduceByKeyCombinesValuesPerKey() {
        assertThat(sample().reduceByKey(Integer::sum).collect())
                .containsExactlyInAnyOrder(Pair.of("a", 6), Pair.of("b", 10), Pair.of("c", 5));
        var reduced = sample().reduceByKey(Integer::sum, 4);
        assertThat(reduced.numPartitions()).isEqualTo(4);
        assertThat(reduced.partitioner()).isEqualTo(new HashPartitioner(4));
        assertThat(sc.parallelizePairs(List.<Pair<String, Integer>>of(), 2).reduceByKey(Integer::sum).collect()).isEmpty();
    }

    @Test
    void reduceByKeyOnDataAlreadyPartitionedThatWayNeedsNoShuffle() {
        var once = sample().reduceByKey(Integer::sum, 2);
        var twice = once.mapValues(v -> v * 2).reduceByKey(Integer::sum, 2);
        assertThat(twice.collect()).containsExactlyInAnyOrder(Pair.of("a", 12), Pair.of("b", 20), Pair.of("c", 10));
        assertThat(twice.toDebugString().split("ShuffledDataset", -1)).hasSize(2);
    }

    @Test
    void combineByKeyWithMutableCombinersGivesTheSameResultWhenRecomputed() {
        PairDataset<String, ArrayList<Integer>> lists = sample().combineByKey(
                v -> new ArrayList<>(List.of(v)),
                (l, v) -> {
                    l.add(v);
                    return l;
                },
                (x, y) -> {
                    x.addAll(y);
                    return x;
                }, 1);
        for (int run = 0; run < 3; run++) {
            assertThat(lists.mapValues(PairDatasetTest::sorted).collect()).containsExactlyInAnyOrder(
                    Pair.of("a", List.of(1, 2, 3)), Pair.of("b", List.of(4, 6)), Pair.of("c", List.of(5)));
        }
    }

    @Test
    void reducingAUnionOfCopartitionedDatasetsWithAMutatingFunctionLeavesTheInputsIntact() {
        var partitioner = new HashPartitioner(2);
        PairDataset<String, ArrayList<Integer>> first = pairs(1, Pair.of("a", new ArrayList<>(List.of(1))),
                Pair.of("b", new ArrayList<>(List.of(2)))).partitionBy(partitioner);
        PairDataset<String, ArrayList<Integer>> second = pairs(1, Pair.of("a", new ArrayList<>(List.of(3))))
                .partitionBy(partitioner);
        PairDataset<String, ArrayList<Integer>> merged = PairDataset.of(sc.union(List.of(first, second)))
                .reduceByKey((x, y) -> {
                    x.addAll(y);
                    return x;
                }, partitioner);
        assertThat(merged.toDebugString()).as("reduced without a new shuffle")
                .doesNotContainPattern("ShuffledDataset\\[\\d+\\] at reduceByKey");
        for (int run = 0; run < 2; run++) {
            assertThat(merged.collect()).containsExactlyInAnyOrder(
                    Pair.of("a", new ArrayList<>(List.of(1, 3))), Pair.of("b", new ArrayList<>(List.of(2))));
        }
        assertThat(first.collect()).containsExactlyInAnyOrder(
                Pair.of("a", new ArrayList<>(List.of(1))), Pair.of("b", new ArrayList<>(List.of(2))));
    }

    @Test
    void reduceByKeyWithAFunctionThatModifiesItsFirstArgumentLeavesTheInputIntact() {
        var input = List.of(Pair.of("a", new ArrayList<>(List.of(1))), Pair.of("a", new ArrayList<>(List.of(2))),
                Pair.of("b", new ArrayList<>(List.of(3))), Pair.of("a", new ArrayList<>(List.of(4))));
        PairDataset<String, ArrayList<Integer>> merged = sc.parallelizePairs(input, 2).reduceByKey((x, y) -> {
            x.addAll(y);
            return x;
        }, 1);
        for (int run = 0; run < 2; run++) {
            assertThat(merged.mapValues(PairDatasetTest::sorted).collect()).containsExactlyInAnyOrder(
                    Pair.of("a", List.of(1, 2, 4)), Pair.of("b", List.of(3)));
        }
        assertThat(input).extracting(p -> (List<Integer>) p.value())
                .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
        PairDataset<String, ArrayList<Integer>> combined = sc.parallelizePairs(input, 1).combineByKey(
                l -> l,
                (ArrayList<Integer> x, ArrayList<Integer> y) -> {
                    x.addAll(y);
                    return x;
                },
                (x, y) -> {
                    x.addAll(y);
                    return x;
                }, 2);
        assertThat(combined.mapValues(PairDatasetTest::sorted).collect()).containsExactlyInAnyOrder(
                Pair.of("a", List.of(1, 2, 4)), Pair.of("b", List.of(3)));
        assertThat(input).extracting(p -> (List<Integer>) p.value())
                .containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
    }

    @Test
    void combineByKeyWithoutMapSideCombineGivesTheSameResult() {
        var sums = sample().combineByKey(v -> (long) v, (Long c, Integer v) -> c + v, Long::sum,
                new HashPartitioner(3), false);
        assertThat(sums.collect()).containsExactlyInAnyOrder(Pair.of("a", 6L), Pair.of("b", 10L), Pair.of("c", 5L));
        assertThat(sums.numPartitions()).isEqualTo(3);
    }

    @Test
    void groupByKeyGathersAllValuesOfAKey() {
        assertThat(sample().groupByKey().mapValues(PairDatasetTest::sorted).collect()).containsExactlyInAnyOrder(
                Pair.of("a", List.of(1, 2, 3)), Pair.of("b", List.of(4, 6)), Pair.of("c", List.of(5)));
        assertThat(sample().groupByKey(5).numPartitions()).isEqualTo(5);
    }

    @Test
    void foldByKeyAppliesTheZeroOncePerKeyAndMapPartition() {
        assertThat(sample().foldByKey(0, Integer::sum).collect())
                .containsExactlyInAnyOrder(Pair.of("a", 6), Pair.of("b", 10), Pair.of("c", 5));
        // a occurs in partitions 0 and 1, b in 1 and 2, c in 2 (as Spark does it)
        assertThat(sample().foldByKey(100, Integer::sum).collect())
                .containsExactlyInAnyOrder(Pair.of("a", 206), Pair.of("b", 210), Pair.of("c", 105));
    }

    @Test
    void aggregateByKeyGivesEveryKeyItsOwnCopyOfAMutableZero() {
        var zero = new ArrayList<Integer>();
        PairDataset<String, ArrayList<Integer>> lists = sample().aggregateByKey(zero,
                (l, v) -> {
                    l.add(v);
                    return l;
                },
                (x, y) -> {
                    x.addAll(y);
                    return x;
                });
        assertThat(lists.mapValues(PairDatasetTest::sorted).collect()).containsExactlyInAnyOrder(
                Pair.of("a", List.of(1, 2, 3)), Pair.of("b", List.of(4, 6)), Pair.of("c", List.of(5)));
        assertThat(zero).isEmpty();
        assertThat(sample().aggregateByKey(Pair.of(0, 0), (acc, v) -> Pair.of(acc.key() + v, acc.value() + 1),
                (x, y) -> Pair.of(x.key() + y.key(), x.value() + y.value())).collect())
                .containsExactlyInAnyOrder(Pair.of("a", Pair.of(6, 3)), Pair.of("b", Pair.of(10, 2)), Pair.of("c", Pair.of(5, 1)));
    }

    @Test
    void countByKeyCountsPairsPerKey() {
        assertThat(sample().countByKey()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 3L, "b", 2L, "c", 1L));
    }

    // ------------------------------------------------------------------ partitioning

    @Test
    void partitionByPlacesEveryKeyInItsHashPartition() {
        var byKey = pairs(2, Pair.of(0, "x"), Pair.of(1, "y"), Pair.of(2, "z"), Pair.of(3, "w"), Pair.of(4, "v"))
                .partitionBy(new HashPartitioner(3));
        assertThat(byKey.glom().collect()).containsExactly(
                List.of(Pair.of(0, "x"), Pair.of(3, "w")), List.of(Pair.of(1, "y"), Pair.of(4, "v")), List.of(Pair.of(2, "z")));
        assertThat(byKey.partitionBy(new HashPartitioner(3))).isSameAs(byKey);
        assertThat(byKey.mapValues(String::toUpperCase).partitioner()).isEqualTo(new HashPartitioner(3));
        assertThat(byKey.map(p -> p).partitioner()).isNull();
    }

    @Test
    void mapPartitionsKeepsThePartitionerOnlyWhenAskedTo() {
        var byKey = sample().partitionBy(new HashPartitioner(2));
        assertThat(byKey.mapPartitions(it -> it, true).partitioner()).isEqualTo(new HashPartitioner(2));
        assertThat(byKey.mapPartitions(it -> it).partitioner()).isNull();
        assertThat(byKey.filter(p -> p.value() > 1).partitioner()).isEqualTo(new HashPartitioner(2));
    }

    // ------------------------------------------------------------------ narrow

    @Test
    void keysValuesMapValuesAndFlatMapValuesKeepOrder() {
        var ds = pairs(2, Pair.of("k1", "a b"), Pair.of("k2", ""), Pair.of("k3", "c"));
        assertThat(ds.keys().collect()).containsExactly("k1", "k2", "k3");
        assertThat(ds.values().collect()).containsExactly("a b", "", "c");
        assertThat(ds.mapValues(String::length).collect())
                .containsExactly(Pair.of("k1", 3), Pair.of("k2", 0), Pair.of("k3", 1));
        assertThat(ds.flatMapValues(v -> v.isEmpty() ? List.<String>of().iterator() : List.of(v.split(" ")).iterator())
                .collect()).containsExactly(Pair.of("k1", "a"), Pair.of("k1", "b"), Pair.of("k3", "c"));
    }

    @Test
    void collectAsMapAndLookup() {
        assertThat(pairs(2, Pair.of("x", 1), Pair.of("y", 2)).collectAsMap())
                .containsExactlyInAnyOrderEntriesOf(Map.of("x", 1, "y", 2));
        assertThat(sample().lookup("b")).containsExactly(4, 6);
        assertThat(sample().lookup("zzz")).isEmpty();
    }

    // ------------------------------------------------------------------ joins

    /** Left: a twice, b; right: a twice, c. */
    private static PairDataset<String, Integer> left() {
        return pairs(2, Pair.of("a", 1), Pair.of("b", 2), Pair.of("a", 3));
    }

    private static PairDataset<String, String> right() {
        return pairs(3, Pair.of("a", "x"), Pair.of("c", "z"), Pair.of("a", "y"));
    }

    @Test
    void joinPairsAllValuesOfMatchingKeysIncludingDuplicates() {
        assertThat(left().join(right()).collect()).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(1, "x")), Pair.of("a", Pair.of(1, "y")),
                Pair.of("a", Pair.of(3, "x")), Pair.of("a", Pair.of(3, "y")));
        assertThat(left().join(right(), 4).numPartitions()).isEqualTo(4);
        // with no partitioner and no configured parallelism: the larger parent's partition count
        assertThat(left().join(right()).numPartitions()).isEqualTo(3);
    }

    @Test
    void outerJoinsKeepUnmatchedKeys() {
        assertThat(left().leftOuterJoin(right()).collect()).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(1, Optional.of("x"))), Pair.of("a", Pair.of(1, Optional.of("y"))),
                Pair.of("a", Pair.of(3, Optional.of("x"))), Pair.of("a", Pair.of(3, Optional.of("y"))),
                Pair.of("b", Pair.of(2, Optional.empty())));
        assertThat(left().rightOuterJoin(right()).collect()).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(Optional.of(1), "x")), Pair.of("a", Pair.of(Optional.of(1), "y")),
                Pair.of("a", Pair.of(Optional.of(3), "x")), Pair.of("a", Pair.of(Optional.of(3), "y")),
                Pair.of("c", Pair.of(Optional.empty(), "z")));
        assertThat(left().fullOuterJoin(right()).collect()).containsExactlyInAnyOrder(
                Pair.of("a", Pair.of(Optional.of(1), Optional.of("x"))), Pair.of("a", Pair.of(Optional.of(1), Optional.of("y"))),
                Pair.of("a", Pair.of(Optional.of(3), Optional.of("x"))), Pair.of("a", Pair.of(Optional.of(3), Optional.of("y"))),
                Pair.of("b", Pair.of(Optional.of(2), Optional.empty())),
                Pair.of("c", Pair.of(Optional.empty(), Optional.of("z"))));
    }

    @Test
    void cogroupListsBothSidesValuesPerKey() {
        assertThat(left().cogroup(right()).mapValues(g -> Pair.of(sorted(g.key()), sorted(g.value()))).collect())
                .containsExactlyInAnyOrder(
                        Pair.of("a", Pair.of(List.of(1, 3), List.of("x", "y"))),
                        Pair.of("b", Pair.of(List.of(2), List.<String>of())),
                        Pair.of("c", Pair.of(List.<Integer>of(), List.of("z"))));
        assertThat(left().cogroup(right(), 5).numPartitions()).isEqualTo(5);
    }

    @Test
    void subtractByKeyDropsPairsWhoseKeyIsInTheOther() {
        assertThat(left().subtractByKey(right()).collect()).containsExactly(Pair.of("b", 2));
        assertThat(right().subtractByKey(left()).collect()).containsExactly(Pair.of("c", "z"));
        assertThat(left().subtractByKey(pairs(1, Pair.of("q", 0))).collect())
                .containsExactlyInAnyOrder(Pair.of("a", 1), Pair.of("b", 2), Pair.of("a", 3));
    }

    // ------------------------------------------------------------------ sorting

    private static PairDataset<Integer, String> unsorted() {
        return pairs(3, Pair.of(5, "e"), Pair.of(3, "c"), Pair.of(9, "i"), Pair.of(1, "a"), Pair.of(7, "g"),
                Pair.of(2, "b"), Pair.of(8, "h"), Pair.of(6, "f"), Pair.of(4, "d"), Pair.of(0, "z"), Pair.of(4, "dd"));
    }

    @Test
    void sortByKeyAscendingIsGloballyOrderedAcrossPartitions() {
        var sorted = unsorted().sortByKey(true, 3);
        assertThat(sorted.numPartitions()).isEqualTo(3);
        assertThat(sorted.keys().collect()).containsExactly(0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9);
        List<List<Pair<Integer, String>>> parts = sorted.glom().collect();
        for (int i = 1; i < parts.size(); i++) {
            if (!parts.get(i - 1).isEmpty() && !parts.get(i).isEmpty()) {
                assertThat(parts.get(i - 1).get(parts.get(i - 1).size() - 1).key())
                        .isLessThanOrEqualTo(parts.get(i).get(0).key());
            }
        }
        assertThat(parts).filteredOn(p -> !p.isEmpty()).hasSizeGreaterThan(1);
    }

    @Test
    void sortByKeyDescendingIsGloballyOrderedAcrossPartitions() {
        var sorted = unsorted().sortByKey(false, 4);
        assertThat(sorted.keys().collect()).containsExactly(9, 8, 7, 6, 5, 4, 4, 3, 2, 1, 0);
        assertThat(unsorted().sortByKey(false).keys().collect()).containsExactly(9, 8, 7, 6, 5, 4, 4, 3, 2, 1, 0);
        assertThat(unsorted().sortByKey().keys().collect()).containsExactly(0, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void sortByKeyOfStringsAndOfEmptyData() {
        assertThat(pairs(2, Pair.of("pear", 1), Pair.of("apple", 2), Pair.of("fig", 3)).sortByKey(true, 2).collect())
                .containsExactly(Pair.of("apple", 2), Pair.of("fig", 3), Pair.of("pear", 1));
        assertThat(sc.parallelizePairs(List.<Pair<String, Integer>>of(), 2).sortByKey(true, 3).collect()).isEmpty();
    }
}
