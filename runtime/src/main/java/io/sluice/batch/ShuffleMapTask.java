package io.sluice.batch;

import io.sluice.shuffle.MapStatus;

/** Computes one partition of a shuffle's parent and keeps its buckets in the environment's map output writer. */
public record ShuffleMapTask(int stageId, int partition, ShuffleDependency<?, ?, ?> dependency)
        implements Task<MapStatus> {

    @Override
    public MapStatus run(TaskContext ctx) {
        Object[] buckets = ShuffleWriter.write(dependency, partition, ctx);
        return ctx.env().mapOutputWriter().write(dependency.shuffleId(), partition, buckets);
    }

    @Override
    public TaskLocality locality() {
        return dependency.parent().locality(partition);
    }

    @Override
    public String toString() {
        return "ShuffleMapTask(stage " + stageId + ", partition " + partition + ", shuffle " + dependency.shuffleId()
                + ")";
    }
}
