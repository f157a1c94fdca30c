package io.sluice.batch;

import io.sluice.serde.Serializer;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes a task for an executor carrying only the input it reads: a {@link ParallelCollectionDataset} reached
 * from the task's dataset through element-wise steps only (map, filter, flatMap, mapPartitions, pair views), whose
 * partition i reads exactly parent partition i, ships just the task's slice instead of the whole driver-side list.
 * Anything else (unions, coalesce, co-groups, state) stops the walk and ships what it reaches whole. (Independently of
 * this class, only a {@link ShuffleMapTask}'s own shuffle carries its map side; every other {@link ShuffleDependency}
 * in a task travels without it (reducers read map outputs by shuffle id), so a reduce task never ships the lineage, and input, of the
 * map side.) Engine-internal, driver side; a task may be serialized on several threads at once.
 */
public final class TaskShipping {
    private TaskShipping() {
    }

    public static byte[] serialize(Serializer serializer, Task<?> task) {
        Dataset<?> root = task instanceof ShuffleMapTask m ? m.dependency().parent()
                : task instanceof ResultTask<?> r ? r.dataset() : null;
        var marked = new ArrayList<ParallelCollectionDataset<?>>();
        try {
            if (root != null) {
                mark(root, task.partition(), marked);
            }
            return serializer.serialize(task);
        } finally {
            marked.forEach(ParallelCollectionDataset::shipAll);
        }
    }

    private static void mark(Dataset<?> ds, int partition, List<ParallelCollectionDataset<?>> marked) {
        if (ds instanceof ParallelCollectionDataset<?> p) {
            p.shipOnly(partition);
            marked.add(p);
            return;
        }
        if (!(ds instanceof PipedDataset<?, ?> || ds instanceof PartitionwiseDataset<?, ?> || ds instanceof PairDataset<?, ?>)) {
            return;
        }
        for (Dependency d : ds.dependencies()) {
            if (d instanceof Dependency.Narrow n && n.parent().numPartitions() == ds.numPartitions()) {
                mark(n.parent(), partition, marked);
            }
        }
    }
}
