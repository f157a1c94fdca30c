package io.sluice.batch;

import io.sluice.api.Pair;
import java.util.Comparator;

/**
 * A shuffle: the parent's pairs are partitioned by key with {@code partitioner}, optionally combined on the map
 * side with {@code aggregator}, and read by the child's tasks. {@code keyOrdering}, when set, sorts each output
 * partition by key.
 */
public final class ShuffleDependency<K, V, C> implements Dependency {
    private final Dataset<Pair<K, V>> parent;
    private final Partitioner partitioner;
    private final Aggregator<V, C> aggregator;
    private final boolean mapSideCombine;
    private final Comparator<? super K> keyOrdering;
    private final int shuffleId;

    ShuffleDependency(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<V, C> aggregator,
                      boolean mapSideCombine, Comparator<? super K> keyOrdering) {
        if (mapSideCombine && aggregator == null) {
            throw new IllegalArgumentException("map-side combine needs an aggregator");
        }
        this.parent = parent;
        this.partitioner = partitioner;
        this.aggregator = aggregator;
        this.mapSideCombine = mapSideCombine;
        this.keyOrdering = keyOrdering;
        this.shuffleId = parent.context().newShuffleId();
        parent.context().registerShuffleForCleanup(this);
    }

    @Override
    public Dataset<Pair<K, V>> parent() {
        return parent;
    }

    public Partitioner partitioner() {
        return partitioner;
    }

    public Aggregator<V, C> aggregator() {
        return aggregator;
    }

    public boolean mapSideCombine() {
        return mapSideCombine;
    }

    public Comparator<? super K> keyOrdering() {
        return keyOrdering;
    }

    public int shuffleId() {
        return shuffleId;
    }

    @Override
    public String toString() {
        return "ShuffleDependency(" + shuffleId + ", " + partitioner + ")";
    }
}
