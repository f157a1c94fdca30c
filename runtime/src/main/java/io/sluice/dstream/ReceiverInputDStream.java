package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.BlockDataset;
import io.sluice.batch.Dataset;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverTracker;
import io.sluice.wal.RecordHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An input stream fed by a {@link Receiver} that runs for the lifetime of the context. Each batch is the blocks
 * the receiver stored since the previous batch, one block per partition in the order received; a batch without
 * blocks is empty. On executors, each partition knows where copies of its block are (see {@link BlockDataset}). With the receiver write-ahead log on, each partition also knows where its block is in the log, and reads it from there once no block store holds it. The batch's blocks are removed from the block store when the batch is forgotten.
 */
public abstract class ReceiverInputDStream<T> extends InputDStream<T> {

    protected ReceiverInputDStream(StreamingContext ssc, String opName) {
        super(ssc, opName);
    }

    /** The receiver to run for this stream; called once, when the context starts. */
    public abstract Receiver<T> getReceiver();

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        ReceiverTracker tracker = context().receiverTracker();
        List<ReceivedBlockInfo> blocks = tracker == null ? List.of() : tracker.blocksOfBatch(time, inputId());
        var ids = new ArrayList<String>(blocks.size());
        var locations = new ArrayList<List<String>>(blocks.size());
        var walHandles = new ArrayList<RecordHandle>(blocks.size());
        long records = 0;
        for (ReceivedBlockInfo b : blocks) {
            ids.add(b.blockId());
            locations.add(b.locations());
            walHandles.add(b.walHandle());
            records += b.numRecords();
        }
        reportInput(time, records);
        return Optional.of(new BlockDataset<>(context().context(), ids, locations, walHandles));
    }

    @Override
    protected void onClear(Time time, Dataset<T> dataset) {
        ReceiverTracker tracker = context().receiverTracker();
        if (tracker != null) {
            tracker.cleanupBatch(time, inputId());
        }
    }
}
