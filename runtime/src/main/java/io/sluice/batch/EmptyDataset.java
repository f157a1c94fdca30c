package io.sluice.batch;

import java.util.List;
import java.util.function.Consumer;

/** A dataset with no partitions. */
final class EmptyDataset<T> extends Dataset<T> {
    EmptyDataset(SluiceContext sc) {
        super(sc, "empty");
    }

    @Override
    public int numPartitions() {
        return 0;
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        throw new IndexOutOfBoundsException("an empty dataset has no partition " + partition);
    }
}
