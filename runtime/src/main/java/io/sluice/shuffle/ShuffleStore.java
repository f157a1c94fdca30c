package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Map outputs of the shuffles run in the driver's process (local mode), kept as objects: by shuffle id and map
 * partition, one bucket per reduce partition. Nothing is copied or serialized. Outputs stay until their shuffle is
 * released; which outputs exist is tracked by the driver's {@link MapOutputTracker}.
 */
public final class ShuffleStore implements MapOutputWriter, ShuffleReader {
    private final ExecutorId location;
    private final ConcurrentHashMap<Integer, AtomicReferenceArray<Object[]>> outputs = new ConcurrentHashMap<>();

    /** @param location the id reported in map statuses for this process */
    public ShuffleStore(ExecutorId location) {
        this.location = location;
    }

    /** Registers a shuffle with its number of map partitions; idempotent. */
    public void register(int shuffleId, int numMaps) {
        outputs.computeIfAbsent(shuffleId, id -> new AtomicReferenceArray<>(numMaps));
    }

    /** Keeps the buckets as they are; the shuffle must be registered. */
    @Override
    public MapStatus write(int shuffleId, int mapId, Object[] buckets) {
        var maps = outputs.get(shuffleId);
        if (maps == null) {
            throw new IllegalStateException("shuffle " + shuffleId + " is not registered (already released?)");
        }
        maps.set(mapId, buckets);
        return new MapStatus(location, mapId, null);
    }

    @Override
    public Iterator<Object> buckets(int shuffleId, int reducePartition) {
        var maps = outputs.get(shuffleId);
        if (maps == null) {
            throw new IllegalStateException("shuffle " + shuffleId + " has no outputs (released or never run)");
        }
        return new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < maps.length();
            }

            @Override
            public Object next() {
                if (next >= maps.length()) {
                    throw new NoSuchElementException();
                }
                Object[] buckets = maps.get(next);
                if (buckets == null) {
                    throw new IllegalStateException("shuffle " + shuffleId + " is missing the output of map " + next);
                }
                next++;
                return buckets[reducePartition];
            }
        };
    }

    public void release(int shuffleId) {
        outputs.remove(shuffleId);
    }

    public int size() {
        return outputs.size();
    }
}
