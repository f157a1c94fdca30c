package io.sluice.batch;

import java.util.List;
import java.util.function.Consumer;

/**
 * A dataset over blocks in the {@link io.sluice.storage.BlockStore} of the process that runs its tasks: partition i
 * is block i, in the given order
 * (a receiver stream's batch, one block per block interval). The blocks must stay in the store until the dataset
 * is no longer used; the stream that made it removes them when it forgets the batch.
 */
public final class BlockDataset<T> extends Dataset<T> {
    private final List<String> blockIds;

    public BlockDataset(SluiceContext sc, List<String> blockIds) {
        super(sc, "blocks");
        this.blockIds = List.copyOf(blockIds);
    }

    public List<String> blockIds() {
        return blockIds;
    }

    @Override
    public int numPartitions() {
        return blockIds.size();
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        String id = blockIds.get(partition);
        List<T> data = ctx.env().blockStore().get(id);
        if (data == null) {
            throw new IllegalStateException("Could not compute split, block " + id + " of dataset " + id()
                    + " not found: the block was removed from the block store (its batch was already cleaned up)");
        }
        for (int i = 0, n = data.size(); i < n; i++) {
            out.accept(data.get(i));
        }
    }
}
