package io.sluice.batch;

import io.sluice.wal.RecordHandle;
import io.sluice.wal.ReceivedDataLogs;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A dataset over received blocks: partition i is block i, in the given order (a receiver stream's batch, one block
 * per block interval).
 *
 * <p>A task reads its block from the {@link io.sluice.storage.BlockStore} of the process it runs in; when that store
 * does not hold it (a task on another executor than the receiver's), it reads it through
 * {@link io.sluice.executor.ExecutionEnv#fetchBlock} from one of the block's locations (RPC addresses of the
 * executors holding a copy, tried in order), so tasks can run on any executor. The blocks must stay in their stores
 * until the dataset is no longer used; the stream that made it removes them when it forgets the batch. A block with a
 * write-ahead log handle that none of these holds any more (its executors were lost, or the driver restarted) is
 * read back from the log, by whichever process runs the task (an executor, or the driver in local mode).
 */
public final class BlockDataset<T> extends Dataset<T> {
    private final ArrayList<String> blockIds;
    private final ArrayList<String[]> locations;
    // The write-ahead log handle of each block as plain arrays (path null: none), so the dataset ships to executors
    // without registering another class with Kryo.
    private final String[] walPaths;
    private final long[] walOffsets;
    private final int[] walLengths;

    /** Blocks in the block store of the process that runs the tasks (local mode). */
    public BlockDataset(SluiceContext sc, List<String> blockIds) {
        this(sc, blockIds, blockIds.stream().map(id -> List.<String>of()).toList());
    }

    /**
     * @param locations for each block, the RPC addresses ({@code host:port}) of the executors holding a copy
     */
    public BlockDataset(SluiceContext sc, List<String> blockIds, List<List<String>> locations) {
        this(sc, blockIds, locations, java.util.Collections.nCopies(blockIds.size(), null));
    }

    /**
     * @param walHandles for each block, where it is in its stream's write-ahead log (null entries: not logged)
     */
    public BlockDataset(SluiceContext sc, List<String> blockIds, List<List<String>> locations,
                        List<RecordHandle> walHandles) {
        super(sc, "blocks");
        if (blockIds.size() != walHandles.size()) {
            throw new IllegalArgumentException(blockIds.size() + " blocks but " + walHandles.size() + " log handles");
        }
        int n = walHandles.size();
        this.walPaths = new String[n];
        this.walOffsets = new long[n];
        this.walLengths = new int[n];
        for (int i = 0; i < n; i++) {
            RecordHandle h = walHandles.get(i);
            if (h != null) {
                walPaths[i] = h.path();
                walOffsets[i] = h.offset();
                walLengths[i] = h.length();
            }
        }
        if (blockIds.size() != locations.size()) {
            throw new IllegalArgumentException(blockIds.size() + " blocks but " + locations.size() + " location lists");
        }
        this.blockIds = new ArrayList<>(blockIds);
        this.locations = new ArrayList<>(locations.size());
        for (List<String> l : locations) {
            this.locations.add(l.toArray(String[]::new));
        }
    }

    public List<String> blockIds() {
        return List.copyOf(blockIds);
    }

    /** The RPC addresses of the executors holding a copy of block {@code partition}; empty in local mode. */
    public List<String> locations(int partition) {
        return List.of(locations.get(partition));
    }

    @Override
    public int numPartitions() {
        return blockIds.size();
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    /** Where the block's copies are: tasks run best there, reading the block without a network copy. */
    @Override
    public TaskLocality locality(int partition) {
        return TaskLocality.preferring(List.of(locations.get(partition)));
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        String id = blockIds.get(partition);
        List<T> data = ctx.env().blockStore().get(id);
        String[] where = locations.get(partition);
        if (data == null && where.length > 0) {
            data = ctx.env().fetchBlock(id, List.of(where));
        }
        if (data == null && walPaths[partition] != null) {
            var handle = new RecordHandle(walPaths[partition], walOffsets[partition], walLengths[partition]);
            data = ReceivedDataLogs.readBlock(handle, ctx.env().hadoopConf(), ctx.env().serializer());
        }
        if (data == null) {
            throw new IllegalStateException("Could not compute split, block " + id + " of dataset " + id()
                    + " not found: " + (where.length == 0
                    ? "it is in no block store (its batch was already cleaned up, or every executor holding it was lost)"
                    : "no copy at " + List.of(where) + " (its executors were lost or its batch was already cleaned up)")
                    + " and in no write-ahead log (sluice.streaming.receiver.writeAheadLog.enable is off)");
        }
        for (int i = 0, n = data.size(); i < n; i++) {
            out.accept(data.get(i));
        }
    }
}
