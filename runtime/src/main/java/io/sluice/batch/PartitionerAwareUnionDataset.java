package io.sluice.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The union of datasets that share a partitioner: partition i holds partition i of every parent, so the result
 * keeps the partitioner and a following aggregation by key needs no shuffle (windows over reduced batches).
 */
final class PartitionerAwareUnionDataset<T> extends Dataset<T> {
    private final List<Dataset<T>> parents;
    private final Partitioner partitioner;

    PartitionerAwareUnionDataset(SluiceContext sc, List<Dataset<T>> parents) {
        super(sc, "union");
        this.parents = List.copyOf(parents);
        this.partitioner = parents.get(0).partitioner();
    }

    @Override
    public int numPartitions() {
        return partitioner.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        var deps = new ArrayList<Dependency>(parents.size());
        for (var p : parents) {
            deps.add(new Dependency.Narrow(p));
        }
        return deps;
    }

    @Override
    public Partitioner partitioner() {
        return partitioner;
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        for (Dataset<T> p : parents) {
            p.iterate(partition, ctx, out);
        }
    }
}
