package io.sluice.batch;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sluice.shuffle.MapStatus;

/**
 * Computes one partition of a shuffle's parent and keeps its buckets in the environment's map output writer. Its
 * dependency is the one {@link ShuffleDependency} that travels with its map side ({@link KryoWithMapSide}).
 */
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

    /**
     * Kryo serializer: stage, partition, then the dependency written with its map side (other shuffle dependencies a
     * task reaches travel without theirs). The dependency is the first object of the task's graph, so it is written in
     * full here, never as a back-reference.
     */
    static final class KryoWithMapSide extends com.esotericsoftware.kryo.Serializer<ShuffleMapTask> {
        @Override
        public void write(Kryo kryo, Output output, ShuffleMapTask task) {
            output.writeVarInt(task.stageId(), true);
            output.writeVarInt(task.partition(), true);
            task.dependency().shipMapSide(true);
            try {
                kryo.writeObject(output, task.dependency());
            } finally {
                task.dependency().shipMapSide(false);
            }
        }

        @Override
        public ShuffleMapTask read(Kryo kryo, Input input, Class<? extends ShuffleMapTask> type) {
            int stageId = input.readVarInt(true);
            int partition = input.readVarInt(true);
            return new ShuffleMapTask(stageId, partition, kryo.readObject(input, ShuffleDependency.class));
        }
    }

    @Override
    public String toString() {
        return "ShuffleMapTask(stage " + stageId + ", partition " + partition + ", shuffle " + dependency.shuffleId()
                + ")";
    }
}
