package io.sluice.batch;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.api.DStream;
import io.sluice.api.PairDStream;
import io.sluice.api.StateSpec;
import io.sluice.cluster.ExecutorId;
import io.sluice.dstream.ForEachDStream;
import io.sluice.dstream.MapWithStateDStream;
import io.sluice.dstream.MappedDStream;
import io.sluice.dstream.ReducedWindowedDStream;
import io.sluice.dstream.StateDStream;
import io.sluice.dstream.StatefulDStream;
import io.sluice.dstream.TransformedDStream;
import io.sluice.dstream.UnionDStream;
import io.sluice.executor.TaskResult;
import io.sluice.serde.KryoRegistrator;
import io.sluice.shuffle.MapStatus;
import io.sluice.state.MappedRecordsDataset;
import io.sluice.state.StateDataset;
import io.sluice.storage.StorageLevel;
import java.util.BitSet;

/**
 * Registers the classes that tasks and their results are made of (task descriptors, datasets, dependencies,
 * partitioners, map statuses) and the engine classes whose lambdas travel in tasks (a serialized lambda names its
 * capturing class), so they travel as small ids and {@code sluice.kryo.registrationRequired} only asks applications
 * to register their own classes, including those that define the lambdas they pass to the engine. The serializer applies it before any application registrator; the
 * order here fixes the ids, which must be the same on the driver and the executors (same code, same order).
 */
public final class EngineKryoClasses implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(ResultTask.class);
        kryo.register(ShuffleMapTask.class, new ShuffleMapTask.KryoWithMapSide());
        kryo.register(TaskResult.Success.class);
        kryo.register(TaskResult.Failure.class);
        kryo.register(TaskResult.FetchFailed.class);
        kryo.register(MapStatus.class);
        kryo.register(ExecutorId.class);

        kryo.register(PipedDataset.class);
        kryo.register(PartitionwiseDataset.class);
        kryo.register(PairDataset.class);
        kryo.register(ParallelCollectionDataset.class, new ParallelCollectionDataset.KryoSlices(kryo));
        kryo.register(EmptyDataset.class);
        kryo.register(UnionDataset.class);
        kryo.register(PartitionerAwareUnionDataset.class);
        kryo.register(CoalescedDataset.class);
        kryo.register(RepartitionedDataset.class);
        kryo.register(ShuffledDataset.class);
        kryo.register(CoGroupedDataset.class);
        kryo.register(BlockDataset.class);
        kryo.register(TextFileDataset.class);
        kryo.register(StateDataset.class);
        kryo.register(MappedRecordsDataset.class);

        kryo.register(Dependency.Narrow.class);
        kryo.register(ShuffleDependency.class, new ShuffleDependency.KryoMapSide(kryo));
        kryo.register(Aggregator.class);
        kryo.register(HashPartitioner.class);
        kryo.register(RangePartitioner.class);
        kryo.register(RepartitionedDataset.IdentityPartitioner.class);
        kryo.register(Copies.Zero.class);
        kryo.register(StorageLevel.class);
        kryo.register(BitSet.class);

        // capturing classes of the engine's own serializable lambdas
        kryo.register(Dataset.class);
        kryo.register(HadoopOutput.class);
        kryo.register(DStream.class);
        kryo.register(PairDStream.class);
        kryo.register(StateSpec.class);
        kryo.register(StatefulDStream.class);
        kryo.register(StateDStream.class);
        kryo.register(MapWithStateDStream.class);
        kryo.register(ReducedWindowedDStream.class);
        kryo.register(TransformedDStream.class);
        kryo.register(MappedDStream.class);
        kryo.register(ForEachDStream.class);
        kryo.register(UnionDStream.class);
        kryo.register(MapWithStateDStream.internalStreamClass());

        kryo.register(TaskResult.StateRestoreFailed.class);
    }
}
