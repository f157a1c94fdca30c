package io.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.conf.SluiceConf;
import io.sluice.storage.StorageLevel;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Dataset#toDebugString()}: lineage, partition counts, shuffle boundaries, storage and cached partitions. */
class DatasetLineageTest {
    private SluiceContext sc;

    @BeforeEach
    void startContext() {
        // a fresh context per test: dataset ids start at 0
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("lineage-test"));
    }

    @AfterEach
    void stopContext() {
        sc.close();
    }

    /** The book's example: names keyed by first letter, counted per letter. */
    private PairDataset<Character, Integer> countsByLetter() {
        return sc.parallelize(List.of("anna", "bob", "alice", "carl", "bea"), 2)
                .keyBy(s -> s.charAt(0)).mapValues(v -> 1).reduceByKey(Integer::sum);
    }

    @Test
    void lineageShowsPartitionCountsAndTheShuffleBoundary() {
        assertThat(countsByLetter().toDebugString()).isEqualTo(String.join("\n",
                "(2) ShuffledDataset[5] at reduceByKey []",
                " +-(2) PipedDataset[3] at mapValues []",
                "    |  PipedDataset[1] at mapToPair []",
                "    |  ParallelCollectionDataset[0] at parallelize []"));
    }

    @Test
    void cacheShowsTheStorageLevelAndAfterAnActionTheCachedPartitions() {
        var counts = countsByLetter().cache();
        assertThat(counts.getStorageLevel()).isEqualTo(StorageLevel.MEMORY_ONLY);
        assertThat(counts.toDebugString()).isEqualTo(String.join("\n",
                "(2) PairDataset[6] at reduceByKey [Memory Deserialized 1x Replicated]",
                " |  ShuffledDataset[5] at reduceByKey []",
                " +-(2) PipedDataset[3] at mapValues []",
                "    |  PipedDataset[1] at mapToPair []",
                "    |  ParallelCollectionDataset[0] at parallelize []"));

        assertThat(counts.count()).isEqualTo(3);
        String materialised = counts.toDebugString();
        assertThat(materialised.lines().toList()).hasSize(6);
        assertThat(materialised.lines().toList().get(0))
                .isEqualTo("(2) PairDataset[6] at reduceByKey [Memory Deserialized 1x Replicated]");
        assertThat(materialised.lines().toList().get(1))
                .matches(" \\|       CachedPartitions: 2; MemorySize: [0-9]+\\.[0-9] (B|KB); "
                        + "ExternalBlockStoreSize: 0\\.0 B; DiskSize: 0\\.0 B");
        assertThat(sc.blockStore().datasetStats(counts.id()).partitions()).isEqualTo(2);
        assertThat(sc.blockStore().datasetStats(counts.id()).elements()).isEqualTo(3);

        counts.unpersist();
        assertThat(counts.toDebugString()).startsWith("(2) ShuffledDataset[5] at reduceByKey []");
    }

    @Test
    void serializedStorageIsShownAsSuch() {
        var ds = sc.parallelize(List.of(1, 2, 3), 3).map(x -> x + 1).persist(StorageLevel.MEMORY_ONLY_SER);
        assertThat(ds.toDebugString()).isEqualTo(String.join("\n",
                "(3) PipedDataset[1] at map [Memory Serialized 1x Replicated]",
                " |  ParallelCollectionDataset[0] at parallelize []"));
    }

    @Test
    void joinsShowEveryShuffledParentAndUnionsEveryParent() {
        var left = sc.parallelizePairs(List.of(Pair.of("a", 1)), 2);
        var right = sc.parallelizePairs(List.of(Pair.of("a", "x")), 3);
        assertThat(left.join(right, 4).toDebugString()).isEqualTo(String.join("\n",
                "(4) PipedDataset[8] at flatMapValues []",
                " |  PipedDataset[6] at mapValues []",
                " |  CoGroupedDataset[4] at cogroup []",
                " +-(2) ParallelCollectionDataset[0] at parallelize []",
                " +-(3) ParallelCollectionDataset[2] at parallelize []"));
        var union = sc.parallelize(List.of(1), 1).union(sc.parallelize(List.of(2), 2));
        assertThat(union.toDebugString()).isEqualTo(String.join("\n",
                "(3) UnionDataset[12] at union []",
                " |  ParallelCollectionDataset[10] at parallelize []",
                " |  ParallelCollectionDataset[11] at parallelize []"));
    }

    @Test
    void nestedShufflesIndentEachLevel() {
        var ds = countsByLetter().map(p -> Pair.of(p.value(), p.key())).mapToPair(p -> p).groupByKey(3);
        assertThat(ds.toDebugString()).isEqualTo(String.join("\n",
                "(3) ShuffledDataset[10] at groupByKey []",
                " +-(2) PipedDataset[8] at mapToPair []",
                "    |  PipedDataset[7] at map []",
                "    |  ShuffledDataset[5] at reduceByKey []",
                "    +-(2) PipedDataset[3] at mapValues []",
                "       |  PipedDataset[1] at mapToPair []",
                "       |  ParallelCollectionDataset[0] at parallelize []"));
    }
}
