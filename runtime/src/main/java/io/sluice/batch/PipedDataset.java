package io.sluice.batch;

import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * A narrow, element-wise step (map, filter, flatMap, ...). Its {@link Pipe} wraps the downstream consumer, so a
 * chain of such steps runs as one loop over the source partition with no intermediate collections.
 */
final class PipedDataset<T, R> extends Dataset<R> {
    private final Dataset<T> parent;
    private final Pipe<T, R> pipe;
    private final boolean preservesPartitioning;

    /** Turns the consumer of this step's output into the consumer of its input. */
    @FunctionalInterface
    interface Pipe<T, R> extends Serializable {
        Consumer<T> wrap(Consumer<? super R> downstream);
    }

    PipedDataset(Dataset<T> parent, String opName, boolean preservesPartitioning, Pipe<T, R> pipe) {
        super(parent.context(), opName);
        this.parent = parent;
        this.pipe = pipe;
        this.preservesPartitioning = preservesPartitioning;
    }

    @Override
    public int numPartitions() {
        return parent.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return narrow(parent);
    }

    @Override
    public Partitioner partitioner() {
        return preservesPartitioning ? parent.partitioner() : null;
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super R> out) {
        parent.iterate(partition, ctx, pipe.wrap(out));
    }
}
