package io.sluice.batch;

import java.util.List;
import java.util.function.Consumer;

/**
 * A driver-side list split into contiguous slices: slice i holds positions [i·n/p, (i+1)·n/p).
 */
final class ParallelCollectionDataset<T> extends Dataset<T> {
    private final List<T> data;
    private final int slices;

    ParallelCollectionDataset(SluiceContext sc, List<T> data, int slices) {
        super(sc, "parallelize");
        if (slices < 1) {
            throw new IllegalArgumentException("number of slices must be positive, got " + slices);
        }
        this.data = data;
        this.slices = slices;
    }

    /** The number of elements, known without running a job. */
    int size() {
        return data.size();
    }

    @Override
    public int numPartitions() {
        return slices;
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        int n = data.size();
        int from = (int) ((long) partition * n / slices);
        int to = (int) ((long) (partition + 1) * n / slices);
        for (int i = from; i < to; i++) {
            out.accept(data.get(i));
        }
    }
}
