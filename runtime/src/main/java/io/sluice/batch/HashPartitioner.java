package io.sluice.batch;

/** Partitions by {@code hashCode} modulo the partition count; {@code null} goes to partition 0. */
public record HashPartitioner(int numPartitions) implements Partitioner {

    public HashPartitioner {
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("number of partitions must be positive, got " + numPartitions);
        }
    }

    @Override
    public int partition(Object key) {
        if (key == null) {
            return 0;
        }
        int mod = key.hashCode() % numPartitions;
        return mod < 0 ? mod + numPartitions : mod;
    }
}
