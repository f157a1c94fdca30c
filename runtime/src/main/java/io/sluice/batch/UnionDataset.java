package io.sluice.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The partitions of several datasets side by side, in order; no data moves. */
final class UnionDataset<T> extends Dataset<T> {
    private final List<Dataset<T>> parents;
    private final int[] offsets;

    UnionDataset(SluiceContext sc, List<Dataset<T>> parents) {
        super(sc, "union");
        this.parents = List.copyOf(parents);
        this.offsets = new int[parents.size() + 1];
        for (int i = 0; i < parents.size(); i++) {
            offsets[i + 1] = offsets[i] + parents.get(i).numPartitions();
        }
    }

    @Override
    public int numPartitions() {
        return offsets[offsets.length - 1];
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
    public TaskLocality locality(int partition) {
        for (int i = 0; i < parents.size(); i++) {
            if (partition < offsets[i + 1]) {
                return parents.get(i).locality(partition - offsets[i]);
            }
        }
        return TaskLocality.ANY;
    }

    @Override
    public void markComputed(int partition) {
        for (int i = 0; i < parents.size(); i++) {
            if (partition < offsets[i + 1]) {
                parents.get(i).markComputed(partition - offsets[i]);
                return;
            }
        }
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        for (int i = 0; i < parents.size(); i++) {
            if (partition < offsets[i + 1]) {
                parents.get(i).iterate(partition - offsets[i], ctx, out);
                return;
            }
        }
        throw new IndexOutOfBoundsException("partition " + partition + " of " + numPartitions());
    }
}
