package io.sluice.storage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Blocks kept by this process: persisted dataset partitions ({@code rdd_<id>_<partition>}) and received input
 * ({@code input-<stream>-<time>}). Blocks are lists of elements held in memory.
 */
public final class BlockStore {
    private final ConcurrentHashMap<String, StoredBlock> blocks = new ConcurrentHashMap<>();

    /** One stored block. */
    public record StoredBlock(List<?> data, StorageLevel level) {
    }

    /** Statistics of a persisted dataset for lineage output. */
    public record DatasetStats(int partitions, long elements) {
        public String memoryDescription() {
            return elements + " elements";
        }
    }

    public void put(String blockId, List<?> data, StorageLevel level) {
        blocks.put(blockId, new StoredBlock(List.copyOf(data), level));
    }

    /** Stores without copying; the caller hands over ownership of {@code data}. */
    public void putOwned(String blockId, List<?> data, StorageLevel level) {
        blocks.put(blockId, new StoredBlock(data, level));
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> get(String blockId) {
        StoredBlock b = blocks.get(blockId);
        return b == null ? null : (List<T>) b.data();
    }

    public boolean contains(String blockId) {
        return blocks.containsKey(blockId);
    }

    /**
     * Returns the stored block, computing and storing it first if absent. The computation runs outside the map's
     * locks (it may itself read other persisted blocks); two tasks racing on one block both compute, one result wins.
     */
    @SuppressWarnings("unchecked")
    public <T> List<T> getOrCompute(String blockId, StorageLevel level, Supplier<List<T>> compute) {
        StoredBlock b = blocks.get(blockId);
        if (b != null) {
            return (List<T>) b.data();
        }
        var fresh = new StoredBlock(compute.get(), level);
        StoredBlock raced = blocks.putIfAbsent(blockId, fresh);
        return (List<T>) (raced != null ? raced : fresh).data();
    }

    public void remove(String blockId) {
        blocks.remove(blockId);
    }

    public void removeDataset(int datasetId) {
        String prefix = "rdd_" + datasetId + "_";
        blocks.keySet().removeIf(k -> k.startsWith(prefix));
    }

    public DatasetStats datasetStats(int datasetId) {
        String prefix = "rdd_" + datasetId + "_";
        int partitions = 0;
        long elements = 0;
        for (Map.Entry<String, StoredBlock> e : blocks.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                partitions++;
                elements += e.getValue().data().size();
            }
        }
        return new DatasetStats(partitions, elements);
    }

    public int size() {
        return blocks.size();
    }
}
