package io.sluice.batch;

import io.sluice.api.function.Function2;
import io.sluice.util.Sneaky;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/** A step that sees a whole partition at once as an iterator (mapPartitions, glom). */
final class PartitionwiseDataset<T, R> extends Dataset<R> {
    private final Dataset<T> parent;
    private final Function2<Integer, Iterator<T>, Iterator<R>> f;
    private final boolean preservesPartitioning;

    PartitionwiseDataset(Dataset<T> parent, String opName, boolean preservesPartitioning,
                         Function2<Integer, Iterator<T>, Iterator<R>> f) {
        super(parent.context(), opName);
        this.parent = parent;
        this.f = f;
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
        var input = new ArrayList<T>();
        parent.iterate(partition, ctx, input::add);
        try {
            Iterator<R> it = f.call(partition, input.iterator());
            while (it.hasNext()) {
                out.accept(it.next());
            }
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
    }
}
