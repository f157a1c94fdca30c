package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The driver's record of which map outputs of each shuffle exist and where: filled from the statuses map tasks
 * return, consulted to plan map stages (which maps are missing) and by reducers to find their blocks. Thread-safe.
 */
public final class MapOutputTracker implements MapOutputLocations {
    private final ConcurrentHashMap<Integer, AtomicReferenceArray<MapStatus>> shuffles = new ConcurrentHashMap<>();
    /** Shuffles read by jobs running now, with how many such jobs. */
    private final ConcurrentHashMap<Integer, AtomicInteger> inUse = new ConcurrentHashMap<>();

    /** Registers a shuffle with its number of map partitions; idempotent. */
    public void register(int shuffleId, int numMaps) {
        shuffles.computeIfAbsent(shuffleId, id -> new AtomicReferenceArray<>(numMaps));
    }

    /** Records a finished map task's output, replacing an earlier one of the same map. */
    public void add(int shuffleId, MapStatus status) {
        maps(shuffleId).set(status.mapId(), status);
    }

    /** The map partitions without an output, in order. */
    public List<Integer> missingMaps(int shuffleId) {
        var maps = maps(shuffleId);
        var missing = new ArrayList<Integer>();
        for (int m = 0; m < maps.length(); m++) {
            if (maps.get(m) == null) {
                missing.add(m);
            }
        }
        return missing;
    }

    @Override
    public List<MapStatus> statuses(int shuffleId) {
        var maps = maps(shuffleId);
        var result = new ArrayList<MapStatus>(maps.length());
        for (int m = 0; m < maps.length(); m++) {
            MapStatus s = maps.get(m);
            if (s == null) {
                throw new IllegalStateException("shuffle " + shuffleId + " is missing the output of map " + m);
            }
            result.add(s);
        }
        return result;
    }

    /** The status of every map output of {@code shuffleId} in map order, {@code null} where one is missing. */
    public MapStatus[] snapshot(int shuffleId) {
        var maps = maps(shuffleId);
        var result = new MapStatus[maps.length()];
        for (int m = 0; m < result.length; m++) {
            result[m] = maps.get(m);
        }
        return result;
    }

    /**
     * Forgets every output kept by {@code location} (an executor that was lost), so that planning runs those maps
     * again; returns the ids of the shuffles that lost outputs.
     */
    public Set<Integer> removeOutputsOn(ExecutorId location) {
        var affected = new HashSet<Integer>();
        shuffles.forEach((shuffleId, maps) -> {
            for (int m = 0; m < maps.length(); m++) {
                MapStatus s = maps.get(m);
                if (s != null && s.location().equals(location) && maps.compareAndSet(m, s, null)) {
                    affected.add(shuffleId);
                }
            }
        });
        return affected;
    }

    /**
     * True when {@code location} keeps at least one map output of a shuffle still registered here, i.e. one a
     * reducer may still fetch: releasing that executor would lose it.
     */
    public boolean holdsOutputs(ExecutorId location) {
        for (AtomicReferenceArray<MapStatus> maps : shuffles.values()) {
            for (int m = 0; m < maps.length(); m++) {
                MapStatus s = maps.get(m);
                if (s != null && s.location().equals(location)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A job that reads {@code shuffleIds} (directly or through its lineage) starts: their outputs are in use. */
    public void retain(Collection<Integer> shuffleIds) {
        for (int id : shuffleIds) {
            inUse.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** A job that {@link #retain retained} {@code shuffleIds} ended. */
    public void release(Collection<Integer> shuffleIds) {
        for (int id : shuffleIds) {
            inUse.computeIfPresent(id, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    /**
     * True when {@code location} keeps a map output of a shuffle that a running job reads: releasing that executor
     * now would fail the job's reducers. Outputs of shuffles no running job reads (a finished batch's) do not count:
     * if a later job needs them after all (a window over shuffled batches, a state partition rebuilt), the lost maps
     * are run again from their lineage, as for any lost executor.
     */
    public boolean holdsOutputsInUse(ExecutorId location) {
        for (var e : shuffles.entrySet()) {
            if (!inUse.containsKey(e.getKey())) {
                continue;
            }
            AtomicReferenceArray<MapStatus> maps = e.getValue();
            for (int m = 0; m < maps.length(); m++) {
                MapStatus s = maps.get(m);
                if (s != null && s.location().equals(location)) {
                    return true;
                }
            }
        }
        return false;
    }

    public void unregister(int shuffleId) {
        shuffles.remove(shuffleId);
    }

    private AtomicReferenceArray<MapStatus> maps(int shuffleId) {
        var maps = shuffles.get(shuffleId);
        if (maps == null) {
            throw new IllegalStateException("shuffle " + shuffleId + " is not registered (released or never run)");
        }
        return maps;
    }
}
