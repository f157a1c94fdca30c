package io.sluice.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShuffleBlockStoreTest {
    private static final ExecutorId EXEC_1 = new ExecutorId("exec-1");
    private static final ExecutorId EXEC_2 = new ExecutorId("exec-2");

    private final KryoSerializer serializer = new KryoSerializer(new SluiceConf(false));

    @TempDir
    Path dir;

    /** Bucket r of map m: r + 1 pairs ("k<r>", m * 100 + i). */
    private static Object[] listBuckets(int mapId, int reducers) {
        Object[] buckets = new Object[reducers];
        for (int r = 0; r < reducers; r++) {
            var list = new ArrayList<Pair<String, Integer>>();
            for (int i = 0; i <= r; i++) {
                list.add(Pair.of("k" + r, mapId * 100 + i));
            }
            buckets[r] = list;
        }
        return buckets;
    }

    private List<Object> readAll(ShuffleBlockStore store, int shuffleId, int reduceId, int... maps) {
        var result = new ArrayList<Object>();
        store.blocks(shuffleId, reduceId, maps).forEachRemaining(b -> result.add(serializer.deserialize(b)));
        return result;
    }

    @Test
    void outputsWithinTheBudgetStayInMemory() {
        var store = new ShuffleBlockStore(EXEC_1, serializer, 1 << 20, dir);
        MapStatus status = store.write(3, 0, listBuckets(0, 3));
        store.write(3, 1, listBuckets(1, 3));
        assertThat(status.location()).isEqualTo(EXEC_1);
        assertThat(status.bucketBytes()).hasSize(3).doesNotContain(0L);
        assertThat(store.files(3)).isEmpty();
        assertThat(store.memoryUsed()).isPositive();
        assertThat(readAll(store, 3, 2, 0, 1)).containsExactly(listBuckets(0, 3)[2], listBuckets(1, 3)[2]);

        store.release(3);
        assertThat(store.memoryUsed()).isZero();
        assertThatThrownBy(() -> store.blocks(3, 0, new int[] {0}).next())
                .isInstanceOf(ShuffleFetchException.class)
                .hasMessageContaining("shuffle_3_0_0").hasMessageContaining("exec-1");
    }

    @Test
    void outputsBeyondTheBudgetGoToFilesReadBackIdenticallyAndAreDeletedOnRelease() {
        var store = new ShuffleBlockStore(EXEC_1, serializer, 100, dir);
        var combined = new HashMap<String, List<Integer>>();
        combined.put("a", new ArrayList<>(List.of(1, 2, 3)));
        combined.put("b", new ArrayList<>(List.of(4)));
        Object[] first = {combined, new HashMap<>(), Map.of("c", List.of(5))};
        store.write(1, 0, first);
        Object[] second = listBuckets(1, 3);
        for (int i = 0; i < 50; i++) {
            ((List<Pair<String, Integer>>) second[1]).add(Pair.of("k1", i)); // too large for what is left
        }
        MapStatus status = store.write(1, 1, second);
        assertThat(status.bytes(1)).isGreaterThan(100);

        List<Path> files = store.files(1);
        assertThat(files).hasSize(1).allSatisfy(f -> assertThat(f).exists().hasParent(dir));
        assertThat(store.memoryUsed()).isLessThanOrEqualTo(100);
        assertThat(readAll(store, 1, 0, 0, 1)).containsExactly(combined, second[0]);
        assertThat(readAll(store, 1, 1, 1)).containsExactly(second[1]);
        // an empty bucket is not stored and reads as no bytes
        assertThat(store.blocks(1, 1, new int[] {0}).next()).isEmpty();

        store.release(1);
        assertThat(files).allSatisfy(f -> assertThat(f).doesNotExist());
        assertThat(store.memoryUsed()).isZero();
    }

    @Test
    void aMapOutputWrittenAgainReplacesTheEarlierOne() {
        var store = new ShuffleBlockStore(EXEC_1, serializer, 0, dir);
        store.write(2, 0, listBuckets(0, 2));
        Path earlier = store.files(2).get(0);
        store.write(2, 0, listBuckets(7, 2));
        assertThat(earlier).doesNotExist();
        assertThat(store.files(2)).hasSize(1);
        assertThat(readAll(store, 2, 1, 0)).containsExactly(listBuckets(7, 2)[1]);
        store.close();
        assertThat(store.files(2)).isEmpty();
    }

    @Test
    void theReaderFetchesEveryLocationAndYieldsBucketsInMapOrder() {
        var local = new ShuffleBlockStore(EXEC_1, serializer, 1 << 20, dir);
        var other = new ShuffleBlockStore(EXEC_2, serializer, 1 << 20, dir);
        var tracker = new MapOutputTracker();
        tracker.register(5, 4);
        for (int m = 0; m < 4; m++) {
            Object[] buckets = listBuckets(m, 2);
            if (m == 2) {
                buckets[1] = new ArrayList<>(); // empty: never fetched
            }
            tracker.add(5, (m % 2 == 0 ? local : other).write(5, m, buckets));
        }
        var requests = new ArrayList<String>();
        ShuffleBlockFetcher remote = (location, shuffleId, reduceId, mapIds) -> {
            requests.add(location + ":" + java.util.Arrays.toString(mapIds));
            return other.blocks(shuffleId, reduceId, mapIds);
        };
        var reader = new FetchingShuffleReader(tracker, new LocalFirstBlockFetcher(EXEC_1, local, remote), serializer);

        Iterator<Object> buckets = reader.buckets(5, 1);
        var read = new ArrayList<Object>();
        buckets.forEachRemaining(read::add);
        assertThat(read).containsExactly(listBuckets(0, 2)[1], listBuckets(1, 2)[1], listBuckets(3, 2)[1]);
        assertThat(requests).containsExactly("exec-2:[1, 3]");
    }

    @Test
    void theTrackerForgetsTheOutputsOfALostExecutor() {
        var tracker = new MapOutputTracker();
        tracker.register(0, 3);
        tracker.add(0, new MapStatus(EXEC_1, 0, new long[] {1}));
        tracker.add(0, new MapStatus(EXEC_2, 1, new long[] {1}));
        assertThat(tracker.missingMaps(0)).containsExactly(2);
        assertThatThrownBy(() -> tracker.statuses(0)).hasMessageContaining("shuffle 0 is missing the output of map 2");
        tracker.add(0, new MapStatus(EXEC_1, 2, new long[] {1}));
        assertThat(tracker.statuses(0)).extracting(MapStatus::mapId).containsExactly(0, 1, 2);

        assertThat(tracker.removeOutputsOn(EXEC_1)).containsExactly(0);
        assertThat(tracker.missingMaps(0)).containsExactly(0, 2);
        tracker.unregister(0);
        assertThatThrownBy(() -> tracker.missingMaps(0)).hasMessageContaining("shuffle 0 is not registered");
    }
}
