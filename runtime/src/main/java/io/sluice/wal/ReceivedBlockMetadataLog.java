package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import io.sluice.util.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's journal of received blocks, in a {@link WriteAheadLog} under {@code <checkpointDir>/receivedBlockMetadata}:
 * which blocks were added, which batch took which blocks, and up to when batches are done. After a driver restart
 * {@link #recover()} replays it, so the restarted driver gives every batch exactly the blocks it had before and
 * every block received but not yet in a batch to the next one.
 *
 * <p>Each method returns once its event is durable. Events are logged at the clock's current time, not at the batch
 * time they name, so that {@link #batchesCleaned(Time) cleaning} up to a threshold only deletes segments written
 * before it: an allocation of a later batch, which carries its blocks, is always newer than the additions of those
 * blocks. Thread-safe (the log serializes writes).
 */
public final class ReceivedBlockMetadataLog implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ReceivedBlockMetadataLog.class);
    /** The log's directory under the checkpoint directory. */
    public static final String DIRECTORY = "receivedBlockMetadata";

    private final WriteAheadLog wal;
    private final Clock clock;
    private final String description;

    private final java.time.Duration cleanLag;

    /** A log whose cleaning deletes every segment written before the threshold. */
    public ReceivedBlockMetadataLog(WriteAheadLog wal, Clock clock) {
        this(wal, clock, java.time.Duration.ZERO);
    }

    /**
     * @param cleanLag how far behind a cleaning threshold segments are deleted: a block added just before the
     *                 threshold may still wait for its batch, and its BlockAdded event must survive until then
     */
    public ReceivedBlockMetadataLog(WriteAheadLog wal, Clock clock, java.time.Duration cleanLag) {
        this.wal = wal;
        this.clock = clock;
        this.cleanLag = cleanLag;
        this.description = wal.toString();
    }

    /** The metadata log of the application checkpointing to {@code checkpointDir} (any Hadoop file system URI). */
    public static ReceivedBlockMetadataLog open(String checkpointDir, Configuration hadoopConf, WalSettings settings,
                                                Clock clock) {
        String dir = checkpointDir.endsWith("/") ? checkpointDir + DIRECTORY : checkpointDir + "/" + DIRECTORY;
        return new ReceivedBlockMetadataLog(FileSystemWriteAheadLog.open(dir, hadoopConf, settings), clock,
                settings.rollingInterval());
    }

    /** Records that {@code block} was received. */
    public void blockAdded(ReceivedBlockInfo block) {
        append(new BlockMetadataEvent.BlockAdded(block));
    }

    /** Records that batch {@code batchTime} took {@code blocks} (by stream id; may be empty). */
    public void batchAllocated(Time batchTime, Map<Integer, List<ReceivedBlockInfo>> blocks) {
        append(new BlockMetadataEvent.BatchAllocated(batchTime, blocks));
    }

    /**
     * Records that every batch before {@code threshold} is done, then deletes the log segments written before
     * {@code threshold} minus the clean lag. The caller guarantees that every block added before that (by the clock)
     * has been allocated.
     */
    public void batchesCleaned(Time threshold) {
        append(new BlockMetadataEvent.BatchCleaned(threshold));
        wal.clean(threshold.minus(cleanLag));
    }

    private void append(BlockMetadataEvent event) {
        wal.write(BlockMetadataCodec.encode(event), new Time(clock.currentTimeMillis()));
    }

    /**
     * Replays the log. A block added twice (a retried write) counts once; a block both added and allocated is
     * allocated; batches before the last cleaning threshold are gone.
     *
     * @throws IncompatibleLogFormatException when a segment or an event has a format this Sluice cannot read
     */
    public RecoveredBlocks recover() {
        var unallocated = new LinkedHashMap<Integer, LinkedHashMap<String, ReceivedBlockInfo>>();
        var allocated = new TreeMap<Time, Map<Integer, List<ReceivedBlockInfo>>>();
        var allocatedIds = new HashSet<String>();
        Time lastAllocated = null;
        int events = 0;
        List<CorruptRecordException> damage;
        try (LogRecords records = wal.readAll()) {
            while (records.hasNext()) {
                BlockMetadataEvent event;
                try {
                    event = BlockMetadataCodec.decode(records.next());
                } catch (IllegalArgumentException e) {
                    throw new IncompatibleLogFormatException(description, "event " + (events + 1) + ": "
                            + e.getMessage());
                }
                events++;
                if (event instanceof BlockMetadataEvent.BlockAdded e) {
                    ReceivedBlockInfo b = e.block();
                    if (!allocatedIds.contains(b.blockId())) {
                        unallocated.computeIfAbsent(b.streamId(), k -> new LinkedHashMap<>()).put(b.blockId(), b);
                    }
                } else if (event instanceof BlockMetadataEvent.BatchAllocated e) {
                    allocated.put(e.batchTime(), e.blocks());
                    for (var blocks : e.blocks().values()) {
                        for (ReceivedBlockInfo b : blocks) {
                            allocatedIds.add(b.blockId());
                            var pending = unallocated.get(b.streamId());
                            if (pending != null) {
                                pending.remove(b.blockId());
                            }
                        }
                    }
                    if (lastAllocated == null || e.batchTime().isAfter(lastAllocated)) {
                        lastAllocated = e.batchTime();
                    }
                } else if (event instanceof BlockMetadataEvent.BatchCleaned e) {
                    allocated.headMap(e.threshold()).clear();
                }
            }
            damage = records.damage();
        }
        var result = new LinkedHashMap<Integer, List<ReceivedBlockInfo>>();
        unallocated.forEach((stream, blocks) -> {
            if (!blocks.isEmpty()) {
                result.put(stream, List.copyOf(blocks.values()));
            }
        });
        LOG.info("Recovered block metadata from {}: {} event(s), {} unallocated block(s), {} allocated batch(es), last "
                        + "allocated batch {}{}", description, events, result.values().stream().mapToInt(List::size).sum(),
                allocated.size(), lastAllocated, damage.isEmpty() ? "" : ", " + damage.size() + " damaged segment(s)");
        return new RecoveredBlocks(result, allocated, lastAllocated, damage);
    }

    @Override
    public void close() {
        wal.close();
    }
}
