package io.sluice.state;

import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.TaskContext;
import java.util.List;
import java.util.function.Consumer;

/**
 * The records a mapWithState function returned in one batch, partitioned like the state version they came with.
 * Tasks read them from the {@link MappedRecords} of the state's operator in their environment.
 */
public final class MappedRecordsDataset<K, S, U> extends Dataset<U> {
    private final StateDataset<K, S> state;

    public MappedRecordsDataset(StateDataset<K, S> state) {
        super(state.context(), "mapWithState");
        this.state = state;
    }

    @Override
    public int numPartitions() {
        return state.numPartitions();
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of(new Dependency.Narrow(state));
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super U> out) {
        state.materialize(partition, ctx);
        MappedRecords<U> records = ctx.env().stateStores().mappedRecords(state.spec().key(), state.numPartitions());
        for (U u : records.get(state.version(), partition)) {
            out.accept(u);
        }
    }
}
