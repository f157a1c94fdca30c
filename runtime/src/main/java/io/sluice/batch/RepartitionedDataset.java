package io.sluice.batch;

import io.sluice.api.Pair;
import java.util.List;
import java.util.function.Consumer;

/**
 * Exactly {@code numPartitions} partitions through a shuffle. Each map task deals its elements round-robin,
 * starting at a position derived from its partition index so that small partitions do not all land on 0.
 */
final class RepartitionedDataset<T> extends Dataset<T> {
    private final ShuffledDataset<Integer, T, T> shuffled;

    RepartitionedDataset(Dataset<T> parent, int numPartitions) {
        super(parent.context(), "repartition");
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("number of partitions must be positive, got " + numPartitions);
        }
        Dataset<Pair<Integer, T>> dealt = new PartitionwiseDataset<T, Pair<Integer, T>>(parent, "repartition", false,
                (index, it) -> new java.util.Iterator<>() {
                    int position = Math.floorMod(index * 0x9E3779B9, numPartitions);

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Pair<Integer, T> next() {
                        position = position + 1 == numPartitions ? 0 : position + 1;
                        return new Pair<>(position, it.next());
                    }
                });
        Partitioner identity = new IdentityPartitioner(numPartitions);
        this.shuffled = new ShuffledDataset<>(new ShuffleDependency<>(dealt, identity, null, false, null), "repartition");
    }

    @Override
    public int numPartitions() {
        return shuffled.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return narrow(shuffled);
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        shuffled.iterate(partition, ctx, p -> out.accept(p.value()));
    }

    /** Keys are partition numbers already. */
    record IdentityPartitioner(int numPartitions) implements Partitioner {
        @Override
        public int partition(Object key) {
            return (Integer) key;
        }
    }
}
