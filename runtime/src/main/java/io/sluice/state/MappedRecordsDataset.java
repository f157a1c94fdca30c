package io.sluice.state;

import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.TaskContext;
import java.util.List;
import java.util.function.Consumer;

/** The records a mapWithState function returned in one batch, partitioned like the state version they came with. */
public final class MappedRecordsDataset<K, S, U> extends Dataset<U> {
    private final StateDataset<K, S> state;
    private final transient MappedRecords<U> records;

    public MappedRecordsDataset(StateDataset<K, S> state, MappedRecords<U> records) {
        super(state.context(), "mapWithState");
        this.state = state;
        this.records = records;
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
        for (U u : records.get(state.version(), partition)) {
            out.accept(u);
        }
    }
}
