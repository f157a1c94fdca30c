package io.sluice.batch;

import java.io.Serializable;

/** Assigns each key to one of {@link #numPartitions()} partitions of a shuffle's output. */
public interface Partitioner extends Serializable {
    int numPartitions();

    int partition(Object key);
}
