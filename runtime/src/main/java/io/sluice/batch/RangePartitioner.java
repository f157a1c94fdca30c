package io.sluice.batch;

import java.util.Arrays;
import java.util.Comparator;

/** Partitions ordered keys into contiguous ranges given by sorted upper bounds (used by sortByKey). */
final class RangePartitioner<K> implements Partitioner {
    private final Object[] bounds;
    private final Comparator<? super K> ordering;
    private final boolean ascending;

    RangePartitioner(Object[] bounds, Comparator<? super K> ordering, boolean ascending) {
        this.bounds = bounds;
        this.ordering = ordering;
        this.ascending = ascending;
    }

    @Override
    public int numPartitions() {
        return bounds.length + 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public int partition(Object key) {
        int idx = Arrays.binarySearch(bounds, key, (a, b) -> ordering.compare((K) a, (K) b));
        int p = idx >= 0 ? idx : -idx - 1;
        return ascending ? p : bounds.length - p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RangePartitioner<?> r && Arrays.equals(bounds, r.bounds) && ascending == r.ascending;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds) * 31 + (ascending ? 1 : 0);
    }
}
