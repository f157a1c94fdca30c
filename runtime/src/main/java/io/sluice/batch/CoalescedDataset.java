package io.sluice.batch;

import java.util.List;
import java.util.function.Consumer;

/** Fewer partitions by concatenating contiguous runs of parent partitions, without a shuffle. */
final class CoalescedDataset<T> extends Dataset<T> {
    private final Dataset<T> parent;
    private final int numPartitions;

    CoalescedDataset(Dataset<T> parent, int numPartitions) {
        super(parent.context(), "coalesce");
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("number of partitions must be positive, got " + numPartitions);
        }
        this.parent = parent;
        this.numPartitions = Math.min(numPartitions, Math.max(1, parent.numPartitions()));
    }

    @Override
    public int numPartitions() {
        return numPartitions;
    }

    @Override
    public List<Dependency> dependencies() {
        return narrow(parent);
    }

    @Override
    public TaskLocality locality(int partition) {
        int n = parent.numPartitions();
        int from = (int) ((long) partition * n / numPartitions);
        int to = (int) ((long) (partition + 1) * n / numPartitions);
        TaskLocality result = TaskLocality.ANY;
        for (int p = from; p < to; p++) {
            result = result.and(parent.locality(p));
        }
        return result;
    }

    @Override
    public void markComputed(int partition) {
        int n = parent.numPartitions();
        for (int p = (int) ((long) partition * n / numPartitions); p < (long) (partition + 1) * n / numPartitions; p++) {
            parent.markComputed(p);
        }
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        int n = parent.numPartitions();
        int from = (int) ((long) partition * n / numPartitions);
        int to = (int) ((long) (partition + 1) * n / numPartitions);
        for (int p = from; p < to; p++) {
            parent.iterate(p, ctx, out);
        }
    }
}
