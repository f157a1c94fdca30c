package io.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.conf.SluiceConf;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The element-wise transformations and the actions of {@link Dataset}, with literal results. */
class DatasetTest {
    private static SluiceContext sc;

    @BeforeAll
    static void startContext() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("dataset-test"));
    }

    @AfterAll
    static void stopContext() {
        sc.close();
    }

    private static Dataset<Integer> range(int from, int toInclusive, int slices) {
        var list = new ArrayList<Integer>();
        for (int i = from; i <= toInclusive; i++) {
            list.add(i);
        }
        return sc.parallelize(list, slices);
    }

    // ------------------------------------------------------------------ structure

    @Test
    void parallelizeSplitsIntoContiguousSlices() {
        assertThat(range(1, 4, 2).glom().collect()).containsExactly(List.of(1, 2), List.of(3, 4));
        assertThat(range(1, 5, 3).glom().collect()).containsExactly(List.of(1), List.of(2, 3), List.of(4, 5));
        assertThat(range(1, 2, 4).glom().collect()).containsExactly(List.of(), List.of(1), List.of(), List.of(2));
        assertThat(sc.parallelize(List.of(), 2).glom().collect()).containsExactly(List.of(), List.of());
        assertThat(range(1, 7, 3).numPartitions()).isEqualTo(3);
    }

    @Test
    void parallelizeRejectsANonPositiveSliceCount() {
        assertThatThrownBy(() -> sc.parallelize(List.of(1), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("number of slices must be positive, got 0");
    }

    // ------------------------------------------------------------------ narrow transformations

    @Test
    void mapFilterAndFlatMapKeepOrderAcrossPartitions() {
        var ds = range(1, 6, 3);
        assertThat(ds.map(x -> x * x).collect()).containsExactly(1, 4, 9, 16, 25, 36);
        assertThat(ds.filter(x -> x % 3 != 0).collect()).containsExactly(1, 2, 4, 5);
        assertThat(ds.flatMap(x -> Collections.nCopies(x % 3, "n" + x).iterator()).collect())
                .containsExactly("n1", "n2", "n2", "n4", "n5", "n5");
        assertThat(ds.map(x -> x + 1).filter(x -> x > 4).map(x -> -x).collect()).containsExactly(-5, -6, -7);
        assertThat(ds.map(x -> x).numPartitions()).isEqualTo(3);
    }

    @Test
    void mapPartitionsSeesWholePartitions() {
        var ds = range(1, 6, 2);
        assertThat(ds.mapPartitions(it -> {
            int sum = 0;
            while (it.hasNext()) {
                sum += it.next();
            }
            return List.of(sum).iterator();
        }).collect()).containsExactly(6, 15);
        assertThat(ds.mapPartitionsWithIndex((i, it) -> {
            var out = new ArrayList<String>();
            it.forEachRemaining(x -> out.add(i + ":" + x));
            return out.iterator();
        }, false).collect()).containsExactly("0:1", "0:2", "0:3", "1:4", "1:5", "1:6");
    }

    @Test
    void keyByPairsEachElementWithItsKey() {
        assertThat(sc.parallelize(List.of("ab", "c"), 1).keyBy(String::length).collect())
                .containsExactly(Pair.of(2, "ab"), Pair.of(1, "c"));
    }

    @Test
    void unionPlacesThePartitionsOfBothSideBySide() {
        var union = range(1, 3, 2).union(range(10, 11, 1));
        assertThat(union.numPartitions()).isEqualTo(3);
        assertThat(union.glom().collect()).containsExactly(List.of(1), List.of(2, 3), List.of(10, 11));
        assertThat(sc.union(List.of(range(1, 1, 1), range(2, 2, 1), range(3, 3, 1))).collect()).containsExactly(1, 2, 3);
    }

    @Test
    void repartitionGivesExactlyTheRequestedPartitionsWithAllElements() {
        var ds = range(1, 20, 3);
        for (int n : new int[] {1, 2, 7}) {
            List<List<Integer>> parts = ds.repartition(n).glom().collect();
            assertThat(parts).hasSize(n);
            var all = new ArrayList<Integer>();
            parts.forEach(all::addAll);
            assertThat(all).containsExactlyInAnyOrderElementsOf(ds.collect());
        }
        assertThat(range(1, 8, 1).repartition(4).glom().map(List::size).collect()).containsExactly(2, 2, 2, 2);
    }

    @Test
    void coalesceConcatenatesNeighbouringPartitions() {
        var ds = range(1, 10, 5);
        assertThat(ds.coalesce(2).glom().collect()).containsExactly(List.of(1, 2, 3, 4), List.of(5, 6, 7, 8, 9, 10));
        assertThat(ds.coalesce(1).collect()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(ds.coalesce(8).numPartitions()).isEqualTo(5);
    }

    @Test
    void distinctRemovesDuplicates() {
        var ds = sc.parallelize(List.of(3, 1, 3, 2, 1, 3), 3);
        assertThat(ds.distinct().collect()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(ds.distinct().numPartitions()).isEqualTo(3);
        assertThat(ds.distinct(1).numPartitions()).isEqualTo(1);
        assertThat(sc.parallelize(List.<Integer>of(), 2).distinct().collect()).isEmpty();
    }

    @Test
    void sortByOrdersGloballyAcrossPartitions() {
        var ds = sc.parallelize(List.of("pear", "fig", "banana", "kiwi", "apple", "date", "cherry"), 3);
        assertThat(ds.sortBy(String::length, true, 3).map(String::length).collect())
                .isSorted().hasSize(7);
        assertThat(ds.sortBy(w -> w, true, 3).collect())
                .containsExactly("apple", "banana", "cherry", "date", "fig", "kiwi", "pear");
        assertThat(ds.sortBy(w -> w, false, 2).collect())
                .containsExactly("pear", "kiwi", "fig", "date", "cherry", "banana", "apple");
    }

    // ------------------------------------------------------------------ actions

    @Test
    void collectAndCountSeeEveryElement() {
        assertThat(range(1, 7, 3).collect()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(range(1, 7, 3).count()).isEqualTo(7);
        assertThat(sc.emptyDataset().count()).isZero();
        assertThat(sc.emptyDataset().collect()).isEmpty();
    }

    @Test
    void takeReadsAcrossPartitionsInOrder() {
        // partitions: [], [1], [], [2, 3, 4, 5]
        var ds = sc.parallelize(List.of(1, 2, 3, 4, 5), 4).filter(x -> true);
        var parts = sc.parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), 5).filter(x -> x != 0 && x != 1 && x < 6);
        assertThat(parts.glom().collect()).containsExactly(List.of(), List.of(2, 3), List.of(4, 5), List.of(), List.of());
        assertThat(parts.take(3)).containsExactly(2, 3, 4);
        assertThat(ds.take(0)).isEmpty();
        assertThat(ds.take(1)).containsExactly(1);
        assertThat(ds.take(4)).containsExactly(1, 2, 3, 4);
        assertThat(ds.take(50)).containsExactly(1, 2, 3, 4, 5);
        assertThat(ds.first()).isEqualTo(1);
    }

    @Test
    void firstAndIsEmptyOnEmptyDatasets() {
        assertThatThrownBy(() -> sc.parallelize(List.of(), 2).first())
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("empty collection");
        assertThat(sc.parallelize(List.of(), 3).isEmpty()).isTrue();
        assertThat(sc.emptyDataset().isEmpty()).isTrue();
        assertThat(range(1, 4, 2).filter(x -> x > 4).isEmpty()).isTrue();
        assertThat(range(1, 4, 2).filter(x -> x > 3).isEmpty()).isFalse();
    }

    @Test
    void reduceCombinesAllElementsAndFailsOnAnEmptyDataset() {
        assertThat(range(1, 10, 3).reduce(Integer::sum)).isEqualTo(55);
        assertThat(range(1, 10, 3).reduce(Math::max)).isEqualTo(10);
        // some partitions empty
        assertThat(sc.parallelize(List.of(4, 5), 5).reduce(Integer::sum)).isEqualTo(9);
        assertThatThrownBy(() -> sc.parallelize(List.<Integer>of(), 2).reduce(Integer::sum))
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("empty collection");
        assertThatThrownBy(() -> sc.<Integer>emptyDataset().reduce(Integer::sum))
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("empty collection");
    }

    @Test
    void foldAppliesTheZeroOncePerPartitionAndOnceWhenMerging() {
        assertThat(range(1, 4, 2).fold(0, Integer::sum)).isEqualTo(10);
        // as in Spark: 1 + 2 + 3 + 4, plus the zero in each of 2 partitions and in the final merge
        assertThat(range(1, 4, 2).fold(1, Integer::sum)).isEqualTo(13);
        assertThat(sc.parallelize(List.<Integer>of(), 3).fold(0, Integer::sum)).isZero();
    }

    @Test
    void aggregateBuildsAResultOfAnotherType() {
        Pair<Integer, Integer> sumCount = range(1, 10, 3).aggregate(Pair.of(0, 0),
                (acc, x) -> Pair.of(acc.key() + x, acc.value() + 1),
                (a, b) -> Pair.of(a.key() + b.key(), a.value() + b.value()));
        assertThat(sumCount).isEqualTo(Pair.of(55, 10));
    }

    @Test
    void aggregateGivesEveryTaskItsOwnCopyOfAMutableZero() {
        ArrayList<Integer> all = range(1, 9, 3).aggregate(new ArrayList<Integer>(),
                (list, x) -> {
                    list.add(x);
                    return list;
                },
                (a, b) -> {
                    a.addAll(b);
                    return a;
                });
        assertThat(all).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9);
        var zero = new HashSet<Integer>();
        assertThat(range(1, 4, 2).aggregate(zero, (s, x) -> {
            s.add(x);
            return s;
        }, (a, b) -> {
            a.addAll(b);
            return a;
        })).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(zero).as("the caller's zero value is left alone").isEmpty();
    }

    @Test
    void countByValueCountsOccurrences() {
        assertThat(sc.parallelize(List.of("a", "b", "a", "c", "a"), 2).countByValue())
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", 3L, "b", 1L, "c", 1L));
    }

    @Test
    void foreachAndForeachPartitionVisitEveryElement() {
        var seen = new ConcurrentLinkedQueue<Integer>();
        range(1, 5, 3).foreach(seen::add);
        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        var sizes = new ConcurrentLinkedQueue<String>();
        range(1, 5, 2).foreachPartition(it -> {
            var part = new ArrayList<Integer>();
            it.forEachRemaining(part::add);
            sizes.add(part.toString());
        });
        assertThat(sizes).containsExactlyInAnyOrder("[1, 2]", "[3, 4, 5]");
    }

    @Test
    void aFailingTaskFailsTheActionWithTheCause() {
        assertThatThrownBy(() -> range(1, 4, 2).map(x -> {
            if (x == 3) {
                throw new IllegalStateException("bad element 3");
            }
            return x;
        }).collect()).isInstanceOf(TaskFailedException.class).hasMessageContaining("bad element 3");
    }

    @Test
    void actionsInsideTasksAreRejected() {
        var inner = range(1, 2, 1);
        assertThatThrownBy(() -> range(1, 2, 1).map(x -> inner.count()).collect())
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("Dataset transformations and actions can only be invoked by the driver");
    }

    // ------------------------------------------------------------------ persistence

    @Test
    void aCachedDatasetIsComputedOnceForSeveralActions() {
        var computed = new AtomicInteger();
        var ds = range(1, 6, 3).map(x -> {
            computed.incrementAndGet();
            return x * 10;
        });
        ds.collect();
        ds.count();
        assertThat(computed).as("without cache every action recomputes").hasValue(12);

        computed.set(0);
        var cached = range(1, 6, 3).map(x -> {
            computed.incrementAndGet();
            return x * 10;
        }).cache();
        assertThat(computed).as("cache() is lazy").hasValue(0);
        assertThat(cached.collect()).containsExactly(10, 20, 30, 40, 50, 60);
        assertThat(cached.count()).isEqualTo(6);
        assertThat(cached.map(x -> x + 1).reduce(Integer::sum)).isEqualTo(216);
        assertThat(computed).hasValue(6);
        assertThat(sc.blockStore().datasetStats(cached.id()).partitions()).isEqualTo(3);

        cached.unpersist();
        assertThat(sc.blockStore().datasetStats(cached.id()).partitions()).isZero();
        assertThat(cached.getStorageLevel()).isEqualTo(io.sluice.storage.StorageLevel.NONE);
        assertThat(cached.count()).isEqualTo(6);
        assertThat(computed).as("after unpersist the data is computed again").hasValue(12);
    }

    @Test
    void persistWithAnotherLevelIsRejected() {
        var ds = range(1, 2, 1).cache();
        assertThatThrownBy(() -> ds.persist(io.sluice.storage.StorageLevel.MEMORY_ONLY_SER))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Cannot change storage level of dataset");
        assertThat(ds.persist(io.sluice.storage.StorageLevel.MEMORY_ONLY)).isSameAs(ds);
    }

    // ------------------------------------------------------------------ files

    /** The visible entries of {@code dir} (Hadoop's local file system adds hidden .crc files). */
    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void saveAsTextFileWritesOnePartFilePerPartitionAndSuccessMarker(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("text");
        sc.parallelize(List.of(Pair.of("a", 1), Pair.of("b", 2), Pair.of("c", 3)), 2).saveAsTextFile(dir.toString());
        assertThat(entries(tmp)).containsExactly("text");
        assertThat(entries(dir)).containsExactly("_SUCCESS", "part-00000", "part-00001");
        assertThat(Files.readAllLines(dir.resolve("part-00000"))).containsExactly("(a,1)");
        assertThat(Files.readAllLines(dir.resolve("part-00001"))).containsExactly("(b,2)", "(c,3)");

        // saving again replaces the directory rather than mixing old and new parts
        sc.parallelize(List.of("x"), 1).saveAsTextFile(dir.toUri().toString());
        assertThat(entries(dir)).containsExactly("_SUCCESS", "part-00000");
        assertThat(Files.readAllLines(dir.resolve("part-00000"))).containsExactly("x");
    }

    @Test
    void saveAsObjectFileWritesSerializedElements(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("objects");
        sc.parallelize(List.of(Pair.of("a", List.of(1, 2)), Pair.of("b", List.of())), 2).saveAsObjectFile(dir.toString());
        assertThat(entries(dir)).containsExactly("_SUCCESS", "part-00000", "part-00001");
        var read = new ArrayList<Object>();
        for (String part : List.of("part-00000", "part-00001")) {
            try (var in = new ObjectInputStream(Files.newInputStream(dir.resolve(part)))) {
                while (true) {
                    try {
                        read.add(in.readObject());
                    } catch (EOFException end) {
                        break;
                    }
                }
            }
        }
        assertThat(read).containsExactly(Pair.of("a", List.of(1, 2)), Pair.of("b", List.of()));
    }

    @Test
    void flatMapOfWordsSplitsLines() {
        assertThat(sc.parallelize(List.of("to be", "or not to be"), 2)
                .flatMap(l -> Arrays.asList(l.split(" ")).iterator()).countByValue())
                .containsExactlyInAnyOrderEntriesOf(Map.of("to", 2L, "be", 2L, "or", 1L, "not", 1L));
    }
}
