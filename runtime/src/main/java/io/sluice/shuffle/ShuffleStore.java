package io.sluice.shuffle;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Map outputs of the shuffles run in this process, by shuffle id and map partition. Each map output holds one
 * bucket per reduce partition: a {@code Map<K,C>} of combiners when the map side combined, otherwise a
 * {@code List<Pair<K,V>>}. Outputs stay until their shuffle is released.
 */
public final class ShuffleStore {
    private final ConcurrentHashMap<Integer, AtomicReferenceArray<Object[]>> outputs = new ConcurrentHashMap<>();

    /** Registers a shuffle with its number of map partitions; idempotent. */
    public void register(int shuffleId, int numMaps) {
        outputs.computeIfAbsent(shuffleId, id -> new AtomicReferenceArray<>(numMaps));
    }

    public void putMapOutput(int shuffleId, int mapId, Object[] buckets) {
        var maps = outputs.get(shuffleId);
        if (maps == null) {
            throw new IllegalStateException("shuffle " + shuffleId + " is not registered (already released?)");
        }
        maps.set(mapId, buckets);
    }

    /** The map partitions whose output is missing, or all of them if the shuffle is unknown. */
    public List<Integer> missingMaps(int shuffleId, int numMaps) {
        var maps = outputs.get(shuffleId);
        var missing = new ArrayList<Integer>();
        for (int m = 0; m < numMaps; m++) {
            if (maps == null || maps.get(m) == null) {
                missing.add(m);
            }
        }
        return missing;
    }

    /** The buckets every map task wrote for {@code reducePartition}, in map order. */
    public List<Object> bucketsFor(int shuffleId, int reducePartition) {
        var maps = outputs.get(shuffleId);
        if (maps == null) {
            throw new IllegalStateException("shuffle " + shuffleId + " has no outputs (released or never run)");
        }
        var result = new ArrayList<Object>(maps.length());
        for (int m = 0; m < maps.length(); m++) {
            Object[] buckets = maps.get(m);
            if (buckets == null) {
                throw new IllegalStateException("shuffle " + shuffleId + " is missing the output of map " + m);
            }
            result.add(buckets[reducePartition]);
        }
        return result;
    }

    public void release(int shuffleId) {
        outputs.remove(shuffleId);
    }

    public int size() {
        return outputs.size();
    }
}
