package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.serde.Serializer;
import io.sluice.storage.BlockStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Puts a receiver's blocks into its stream's write-ahead log before they are reported: sits between a
 * {@link io.sluice.receiver.ReceiverSupervisor} and the reporter it was given. The supervisor calls it once a block
 * is in the block store; it writes the block's records (serialized with the application's serializer) to the log,
 * which syncs them, and only then passes the block on, with its {@link RecordHandle}. A receiver's {@code store}
 * therefore returns, and a reliable receiver acknowledges its source, only once the data is durable.
 *
 * <p>When the log write fails for good the block is removed from the block store and the
 * {@link WriteAheadLogException} reaches the receiver's {@code store} call (or the block generator, which logs it):
 * nothing is reported that is not in the log.
 */
public final class WalBlockReporter implements Consumer<ReceivedBlockInfo> {
    private static final Logger LOG = LogManager.getLogger(WalBlockReporter.class);

    private final WriteAheadLog log;
    private final BlockStore blockStore;
    private final Serializer serializer;
    private final Consumer<ReceivedBlockInfo> next;

    /**
     * @param log        the stream's received-data log
     * @param blockStore the store the supervisor puts blocks into
     * @param next       the reporter the supervisor would otherwise call
     */
    public WalBlockReporter(WriteAheadLog log, BlockStore blockStore, Serializer serializer,
                            Consumer<ReceivedBlockInfo> next) {
        this.log = log;
        this.blockStore = blockStore;
        this.serializer = serializer;
        this.next = next;
    }

    @Override
    public void accept(ReceivedBlockInfo block) {
        List<?> records = blockStore.get(block.blockId());
        if (records == null) {
            throw new IllegalStateException("Block " + block.blockId() + " of stream " + block.streamId()
                    + " is not in the block store: it cannot be written to the write-ahead log");
        }
        RecordHandle handle;
        try {
            handle = log.write(ByteBuffer.wrap(serializer.serialize(new ArrayList<>(records))), new Time(block.blockTimeMs()));
        } catch (RuntimeException e) {
            blockStore.remove(block.blockId());
            LOG.error("Block {} of stream {} ({} record(s)) could not be written to the write-ahead log and is not "
                    + "accepted: {}", block.blockId(), block.streamId(), block.numRecords(), e.getMessage());
            throw e;
        }
        next.accept(new ReceivedBlockInfo(block.streamId(), block.blockId(), block.blockTimeMs(), block.numRecords(),
                block.locations(), handle));
    }
}
