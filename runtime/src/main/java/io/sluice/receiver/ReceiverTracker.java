package io.sluice.receiver;

import io.sluice.api.Time;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.storage.BlockStore;
import io.sluice.util.Clock;
import io.sluice.wal.ReceiverWal;
import io.sluice.wal.WalBlockReporter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs the receivers of a streaming context and keeps track of the blocks they store.
 *
 * <p>Blocks reported by the supervisors are held per stream as received-but-unallocated, in arrival order.
 * {@link #allocateBlocksToBatch(Time)} (called on the job generator thread at each batch time, before the batch is
 * computed) gives every block received before that call to that batch; later blocks go to a later batch. The
 * receiver input streams read their batch's blocks with {@link #blocksOfBatch} and release them with
 * {@link #cleanupBatch} once the batch is forgotten.
 *
 * <p>Receivers run either on supervisor threads of this process (local mode) or, with a {@link ReceiverLauncher},
 * wherever the launcher places them (executors), whose supervisors report their blocks back through
 * {@link #addBlock}; the blocks then carry the addresses of the executors holding them, and the launcher is told to
 * remove them there when they are cleaned up or dropped.
 *
 * <p>Lifecycle: {@link #start()} once, {@link #stop(boolean)} once (later calls do nothing). A graceful stop
 * stops the receivers and pushes what their block generators still buffer, so that
 * {@link #hasUnallocatedBlocks()} tells the context whether batches must still run before it may stop.
 */
public final class ReceiverTracker {
    private static final Logger LOG = LogManager.getLogger(ReceiverTracker.class);

    private enum State { NEW, ACTIVE, STOPPING, STOPPED }

    /**
     * Runs receivers outside this process (on executors) and removes their blocks there. Its methods are called by
     * the tracker: {@code start} once from {@link #start()}, {@code stop} once from {@link #stop(boolean)} (a graceful
     * stop returns only once the receivers' last blocks were reported), {@code removeBlocks} whenever blocks are
     * forgotten.
     */
    public interface ReceiverLauncher {
        /** Places and starts every receiver; their supervisors report blocks to {@code tracker.addBlock}. */
        void start(Map<Integer, Receiver<?>> receivers, ReceiverTracker tracker);

        /** Stops every receiver, waiting a bounded time. */
        void stop(boolean graceful);

        /** Drops the copies of these blocks wherever they are (best effort, asynchronous). */
        void removeBlocks(List<ReceivedBlockInfo> blocks);

        /**
         * Tells the receiver of {@code streamId}, wherever it runs now and wherever it is placed later, backpressure's
         * latest rate (records per second); best effort, asynchronous.
         */
        default void updateRateLimit(int streamId, long ratePerSecond) {
        }

        /**
         * Whether the executor at {@code location} ({@code host:port}) is running now: registered, ready, not lost
         * and not being released. A block's copy there counts only then. Once this answered false for a location,
         * it never answers true again for the executor that was there, and its loss reaches
         * {@link ReceiverTracker#locationLost} if it had been live.
         */
        default boolean isLive(String location) {
            return true;
        }
    }

    private final Map<Integer, Receiver<?>> receivers;
    private final Clock clock;
    private final ReceiverSupervisor.Settings settings;
    private final BlockStore blockStore;
    private final Consumer<StreamingListenerEvent> events;
    private final ReceiverLauncher launcher;
    private final ReceiverWal wal;
    private final Map<Integer, ReceiverSupervisor<?>> supervisors = new LinkedHashMap<>();
    // guarded by this
    private final Map<Integer, List<ReceivedBlockInfo>> unallocated = new HashMap<>();
    private final TreeMap<Time, Map<Integer, List<ReceivedBlockInfo>>> allocated = new TreeMap<>();
    private Time lastAllocatedBatch;
    private Time lastCleanThreshold;
    private State state = State.NEW;

    /**
     * @param receivers the receiver of each receiver input stream, by stream id
     * @param events    where receiver listener events go
     */
    public ReceiverTracker(Map<Integer, Receiver<?>> receivers, Clock clock, ReceiverSupervisor.Settings settings,
                           BlockStore blockStore, Consumer<StreamingListenerEvent> events) {
        this(receivers, clock, settings, blockStore, events, null);
    }

    /**
     * @param launcher runs the receivers elsewhere (null: on supervisor threads of this process)
     */
    public ReceiverTracker(Map<Integer, Receiver<?>> receivers, Clock clock, ReceiverSupervisor.Settings settings,
                           BlockStore blockStore, Consumer<StreamingListenerEvent> events, ReceiverLauncher launcher) {
        this(receivers, clock, settings, blockStore, events, launcher, ReceiverWal.NONE);
    }

    /**
     * @param wal the write-ahead logs to keep: block events go to its metadata log before they take effect, local
     *            receivers write their blocks to its data logs before reporting them, and cleaned batches clean
     *            both; the tracker closes them when it stops
     */
    public ReceiverTracker(Map<Integer, Receiver<?>> receivers, Clock clock, ReceiverSupervisor.Settings settings,
                           BlockStore blockStore, Consumer<StreamingListenerEvent> events, ReceiverLauncher launcher,
                           ReceiverWal wal) {
        this.wal = wal;
        this.launcher = launcher;
        this.receivers = new LinkedHashMap<>(receivers);
        this.clock = clock;
        this.settings = settings;
        this.blockStore = blockStore;
        this.events = events;
        for (Integer id : receivers.keySet()) {
            unallocated.put(id, new ArrayList<>());
        }
    }

    /**
     * Refuses to run receivers that would take every task slot. In local mode a receiver runs on its own thread,
     * but like on a cluster (where it takes an executor core) it stands for a task that never ends, so it is counted
     * against the slots.
     *
     * @throws IllegalStateException if {@code slots <= receivers}
     */
    public static void checkTaskSlots(String master, int slots, int receivers) {
        if (receivers > 0 && slots <= receivers) {
            throw new IllegalStateException(master + " has " + slots + " task slot(s) but the application has "
                    + receivers + " receiver(s); each receiver occupies a slot permanently, so no batch could ever be "
                    + "processed. " + (master.startsWith("local[")
                    ? "Use local[n] with n > number of receivers (e.g. local[" + (receivers + 1) + "])."
                    : "Give the executors more cores in total than there are receivers (each receiver runs on one "
                    + "executor core)."));
        }
    }

    /** Starts one supervisor per receiver; receivers start asynchronously on their supervisor threads. */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("ReceiverTracker cannot start: it is " + state);
        }
        state = State.ACTIVE;
        if (launcher != null) {
            launcher.start(receivers, this);
            LOG.info("ReceiverTracker placed {} receiver(s) for streams {} with {}", receivers.size(), receivers.keySet(),
                    launcher);
            return;
        }
        for (var e : receivers.entrySet()) {
            ReceiverSupervisor<?> s = newSupervisor(e.getValue(), e.getKey());
            supervisors.put(e.getKey(), s);
        }
        for (ReceiverSupervisor<?> s : supervisors.values()) {
            s.start();
        }
        LOG.info("ReceiverTracker started {} receiver(s) for streams {}", supervisors.size(), supervisors.keySet());
    }

    private <T> ReceiverSupervisor<T> newSupervisor(Receiver<T> receiver, int streamId) {
        Consumer<ReceivedBlockInfo> reporter = this::addBlock;
        if (wal.data() != null) {
            reporter = new WalBlockReporter(wal.data().log(streamId), blockStore, wal.serializer(), reporter);
        }
        return new ReceiverSupervisor<>(receiver, streamId, clock, settings, blockStore, reporter, events);
    }

    /**
     * Called by the supervisors for each block once it is in the block store (and replicated, if asked for, and
     * written to the write-ahead log, if on). Locations of executors that are no longer live (lost while the report
     * was on its way) do not count as copies: they are left out. A block left without a copy is still accepted when
     * it is in the write-ahead log (tasks read it from there).
     *
     * <p>Returning means the block is kept until its batch is cleaned up, so a reliable receiver may acknowledge its
     * source. A block that is not kept is refused with an exception instead, which fails the receiver's
     * {@code store} (its source sends the data again): a block without a write-ahead log record whose every copy
     * was lost, and any block once the tracker stopped.
     *
     * @throws IllegalStateException when the block is not kept
     */
    public void addBlock(ReceivedBlockInfo block) {
        block = withLiveLocations(block);
        if (hasNoCopy(block)) {
            throw refuseWithoutCopy(block);
        }
        if (wal.metadata() != null && isAccepting()) {
            wal.metadata().blockAdded(block); // throws when it cannot be logged: the block is then not accepted
        }
        synchronized (this) {
            if (state == State.ACTIVE || state == State.STOPPING) {
                List<ReceivedBlockInfo> list = unallocated.get(block.streamId());
                if (list != null) {
                    // Checked again under the lock, which locationLost takes too: a location lost since the check
                    // above is left out here, one lost later is removed by locationLost.
                    ReceivedBlockInfo live = withLiveLocations(block);
                    if (hasNoCopy(live)) {
                        throw refuseWithoutCopy(live);
                    }
                    list.add(live);
                    return;
                }
            }
        }
        String why = receivers.containsKey(block.streamId()) ? "the tracker is stopped" : "no such receiver stream";
        LOG.warn("Dropping block {} of stream {}: {}", block.blockId(), block.streamId(), why);
        removeBlocks(List.of(block));
        throw new IllegalStateException("Block " + block.blockId() + " of stream " + block.streamId()
                + " was not accepted: " + why);
    }

    /** A block on executors whose every copy was lost, and which no write-ahead log holds. */
    private boolean hasNoCopy(ReceivedBlockInfo block) {
        return launcher != null && block.locations().isEmpty() && block.walHandle() == null;
    }

    private IllegalStateException refuseWithoutCopy(ReceivedBlockInfo block) {
        String message = "Block " + block.blockId() + " of stream " + block.streamId() + " (" + block.numRecords()
                + " record(s)) was reported after every executor holding a copy of it was lost, and it is in no "
                + "write-ahead log: it is not accepted (a receiver acknowledging its source after store() has it sent "
                + "again; set " + io.sluice.conf.SluiceConf.RECEIVER_WAL_ENABLE.name() + "=true to keep received "
                + "blocks in a write-ahead log)";
        LOG.error(message);
        return new IllegalStateException(message);
    }

    /** The block with only the locations of executors that are live now (all of them in local mode). */
    private ReceivedBlockInfo withLiveLocations(ReceivedBlockInfo block) {
        if (launcher == null || block.locations().isEmpty()) {
            return block;
        }
        var live = new ArrayList<String>(block.locations().size());
        for (String location : block.locations()) {
            if (launcher.isLive(location)) {
                live.add(location);
            } else {
                LOG.warn("Block {} of stream {} names executor {} as a copy, but it is no longer live: that copy does "
                        + "not count", block.blockId(), block.streamId(), location);
            }
        }
        return live.size() == block.locations().size() ? block : block.withLocations(live);
    }

    private synchronized boolean isAccepting() {
        return state == State.ACTIVE || state == State.STOPPING;
    }

    private void removeBlocks(List<ReceivedBlockInfo> blocks) {
        for (ReceivedBlockInfo b : blocks) {
            blockStore.remove(b.blockId());
        }
        if (launcher != null && !blocks.isEmpty()) {
            launcher.removeBlocks(blocks);
        }
    }

    /**
     * Gives every block received so far to batch {@code time}. Allocating the same or an earlier batch time again
     * does nothing, so a batch's blocks never change once allocated.
     */
    public synchronized void allocateBlocksToBatch(Time time) {
        if (lastAllocatedBatch != null && !time.isAfter(lastAllocatedBatch)) {
            LOG.info("Blocks were already allocated to batch {} (last allocated {}); ignoring", time, lastAllocatedBatch);
            return;
        }
        var batch = new HashMap<Integer, List<ReceivedBlockInfo>>();
        long records = 0;
        int blocks = 0;
        for (var e : unallocated.entrySet()) {
            if (!e.getValue().isEmpty()) {
                batch.put(e.getKey(), List.copyOf(e.getValue()));
                blocks += e.getValue().size();
                for (ReceivedBlockInfo b : e.getValue()) {
                    records += b.numRecords();
                }
            }
        }
        if (wal.metadata() != null) {
            // Logged before it takes effect: if it cannot be logged, the blocks stay unallocated and the batch fails.
            wal.metadata().batchAllocated(time, batch);
        }
        unallocated.values().forEach(List::clear);
        if (!batch.isEmpty()) {
            allocated.put(time, batch);
        }
        lastAllocatedBatch = time;
        LOG.debug("Allocated {} block(s) with {} record(s) to batch {}", blocks, records, time);
    }

    /**
     * Takes over what a previous driver of this application had received, as its block metadata log recovered it,
     * before any receiver starts. With {@code dataLogged} (the received-data log was on) the blocks are read back from
     * that log: batches keep the blocks they had, and unallocated blocks go to the next batch. Without it those
     * blocks were only in the old executors' memory and are lost: this is logged, and the batches run again without
     * them. Locations are dropped: they name the previous driver's executors.
     */
    public synchronized void recover(io.sluice.wal.RecoveredBlocks recovered, boolean dataLogged) {
        int blocks = 0;
        long records = 0;
        for (var batch : recovered.allocated().values()) {
            for (var list : batch.values()) {
                blocks += list.size();
                records += list.stream().mapToLong(ReceivedBlockInfo::numRecords).sum();
            }
        }
        for (var list : recovered.unallocated().values()) {
            blocks += list.size();
            records += list.stream().mapToLong(ReceivedBlockInfo::numRecords).sum();
        }
        if (!dataLogged) {
            if (blocks > 0) {
                LOG.warn("{} block(s) with {} record(s) received before the restart were kept only in executors' "
                        + "memory and are lost; the batches that had them run again without them. Set {}=true to "
                        + "keep received data across driver restarts.", blocks, records,
                        io.sluice.conf.SluiceConf.RECEIVER_WAL_ENABLE.name());
            }
            return;
        }
        for (var e : recovered.unallocated().entrySet()) {
            List<ReceivedBlockInfo> list = unallocated.get(e.getKey());
            if (list != null) {
                e.getValue().forEach(b -> list.add(withoutLocations(b)));
            }
        }
        for (var e : recovered.allocated().entrySet()) {
            var batch = new HashMap<Integer, List<ReceivedBlockInfo>>();
            e.getValue().forEach((stream, list) -> batch.put(stream, list.stream().map(ReceiverTracker::withoutLocations).toList()));
            allocated.put(e.getKey(), batch);
        }
        if (recovered.lastAllocatedBatch() != null) {
            lastAllocatedBatch = recovered.lastAllocatedBatch();
        }
        LOG.info("Recovered {} block(s) with {} record(s) from the write-ahead logs; batches up to {} keep theirs",
                blocks, records, lastAllocatedBatch);
    }

    private static ReceivedBlockInfo withoutLocations(ReceivedBlockInfo b) {
        return new ReceivedBlockInfo(b.streamId(), b.blockId(), b.blockTimeMs(), b.numRecords(), List.of(), b.walHandle());
    }

    /** The blocks of stream {@code streamId} allocated to batch {@code time}, in the order they were received. */
    public synchronized List<ReceivedBlockInfo> blocksOfBatch(Time time, int streamId) {
        Map<Integer, List<ReceivedBlockInfo>> batch = allocated.get(time);
        if (batch == null) {
            return List.of();
        }
        return batch.getOrDefault(streamId, List.of());
    }

    /**
     * Forgets the blocks of stream {@code streamId} in batch {@code time} and removes them from the block store;
     * returns them.
     */
    public List<ReceivedBlockInfo> cleanupBatch(Time time, int streamId) {
        List<ReceivedBlockInfo> removed;
        synchronized (this) {
            Map<Integer, List<ReceivedBlockInfo>> batch = allocated.get(time);
            if (batch == null) {
                return List.of();
            }
            removed = batch.remove(streamId);
            // A batch entry stays until every receiver stream with blocks in it has cleaned it.
            if (batch.isEmpty()) {
                allocated.remove(time);
                logCleanedBatches(time);
            }
        }
        if (removed == null) {
            return List.of();
        }
        if (wal.data() != null) {
            wal.data().clean(streamId, time);
        }
        removeBlocks(removed);
        LOG.debug("Removed {} block(s) of stream {} for batch {}", removed.size(), streamId, time);
        return removed;
    }

    /** Every batch before the first one still allocated (or up to {@code cleaned}) is done: tell the metadata log. */
    private void logCleanedBatches(Time cleaned) {
        if (wal.metadata() == null) {
            return;
        }
        Time threshold = new Time(cleaned.milliseconds() + 1);
        if (!allocated.isEmpty() && allocated.firstKey().isBefore(threshold)) {
            threshold = allocated.firstKey();
        }
        if (lastCleanThreshold == null || threshold.isAfter(lastCleanThreshold)) {
            lastCleanThreshold = threshold;
            wal.metadata().batchesCleaned(threshold);
        }
    }

    /** True while some block has been received but not yet given to a batch. */
    public synchronized boolean hasUnallocatedBlocks() {
        for (List<ReceivedBlockInfo> l : unallocated.values()) {
            if (!l.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The blocks received but not yet given to a batch, for stream {@code streamId}. */
    public synchronized List<ReceivedBlockInfo> unallocatedBlocks(int streamId) {
        return List.copyOf(unallocated.getOrDefault(streamId, List.of()));
    }

    /** The supervisor of stream {@code streamId}'s receiver, or null if none (before start). */
    public synchronized ReceiverSupervisor<?> supervisor(int streamId) {
        return supervisors.get(streamId);
    }

    /**
     * Backpressure's latest estimate for stream {@code streamId}: its receiver may store {@code ratePerSecond}
     * records per second (capped by its maximum rate), here or, through the launcher, on its executor.
     */
    public void updateRateLimit(int streamId, long ratePerSecond) {
        if (launcher != null) {
            launcher.updateRateLimit(streamId, ratePerSecond);
            return;
        }
        ReceiverSupervisor<?> s = supervisor(streamId);
        if (s != null) {
            s.updateRateLimit(ratePerSecond);
        }
    }

    /** Publishes a receiver event that happened elsewhere (a receiver on an executor) on the listener bus. */
    public void postEvent(StreamingListenerEvent event) {
        events.accept(event);
    }

    /**
     * The executor at {@code location} ({@code host:port}) was lost with the copies of the blocks it held: it is no
     * longer named as a location of any block. A block whose last copy was there stays when it is in the write-ahead
     * log: given to a batch or not yet, its task reads it from the log. Without the log such a block is lost: one not
     * yet given to a batch is dropped, one already in a batch stays and reading it fails that batch's job; both are
     * logged as errors with their record counts.
     */
    public void locationLost(String location) {
        var lost = new ArrayList<ReceivedBlockInfo>();
        var lostInBatches = new ArrayList<ReceivedBlockInfo>();
        int kept = 0;
        int inLogOnly = 0;
        synchronized (this) {
            for (List<ReceivedBlockInfo> blocks : unallocated.values()) {
                for (var it = blocks.listIterator(); it.hasNext(); ) {
                    ReceivedBlockInfo b = it.next();
                    if (b.locations().contains(location)) {
                        ReceivedBlockInfo without = withoutLocation(b, location);
                        if (without.locations().isEmpty() && without.walHandle() == null) {
                            it.remove();
                            lost.add(b);
                        } else {
                            it.set(without);
                            kept++;
                            inLogOnly += without.locations().isEmpty() ? 1 : 0;
                        }
                    }
                }
            }
            for (Map<Integer, List<ReceivedBlockInfo>> batch : allocated.values()) {
                for (var e : batch.entrySet()) {
                    var updated = new ArrayList<ReceivedBlockInfo>(e.getValue().size());
                    for (ReceivedBlockInfo b : e.getValue()) {
                        if (b.locations().contains(location)) {
                            b = withoutLocation(b, location);
                            if (!b.locations().isEmpty()) {
                                kept++;
                            } else if (b.walHandle() != null) {
                                kept++;
                                inLogOnly++;
                            } else {
                                lostInBatches.add(b);
                            }
                        }
                        updated.add(b);
                    }
                    e.setValue(List.copyOf(updated));
                }
            }
        }
        for (ReceivedBlockInfo b : lostInBatches) {
            LOG.error("Block {} of stream {} ({} record(s)), already in a batch, had its only copy at lost executor {} "
                    + "and is in no write-ahead log: that batch will fail", b.blockId(), b.streamId(), b.numRecords(),
                    location);
        }
        for (ReceivedBlockInfo b : lost) {
            LOG.error("Block {} of stream {} had its only copy at lost executor {}: its {} record(s) are lost (use a "
                    + "replicated storage level, or set {}=true, to keep them)", b.blockId(), b.streamId(), location,
                    b.numRecords(), io.sluice.conf.SluiceConf.RECEIVER_WAL_ENABLE.name());
        }
        LOG.info("Executor at {} lost: {} of the blocks it held are kept ({} of them now only in the write-ahead log), "
                + "{} were lost", location, kept, inLogOnly, lost.size() + lostInBatches.size());
    }

    /**
     * True while some block not yet cleaned up has its only copy at {@code location} ({@code host:port}): a block in
     * no write-ahead log whose only live location is there. The release guard of dynamic allocation: such an executor
     * must stay. A block in the write-ahead log never pins an executor; copies at executors that are not live do not
     * count.
     */
    public synchronized boolean holdsOnlyCopy(String location) {
        for (List<ReceivedBlockInfo> blocks : unallocated.values()) {
            for (ReceivedBlockInfo b : blocks) {
                if (isOnlyCopy(b, location)) {
                    return true;
                }
            }
        }
        for (Map<Integer, List<ReceivedBlockInfo>> batch : allocated.values()) {
            for (List<ReceivedBlockInfo> blocks : batch.values()) {
                for (ReceivedBlockInfo b : blocks) {
                    if (isOnlyCopy(b, location)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private boolean isOnlyCopy(ReceivedBlockInfo b, String location) {
        if (b.walHandle() != null || !b.locations().contains(location)) {
            return false;
        }
        for (String other : b.locations()) {
            if (!other.equals(location) && (launcher == null || launcher.isLive(other))) {
                return false;
            }
        }
        return true;
    }

    private static ReceivedBlockInfo withoutLocation(ReceivedBlockInfo b, String location) {
        var locations = new ArrayList<>(b.locations());
        locations.remove(location);
        return b.withLocations(locations); // keeps the write-ahead log handle
    }

    /**
     * The directory of stream {@code streamId}'s received-data write-ahead log, which a receiver run elsewhere writes
     * its blocks to before reporting them; null when the log is off.
     */
    public String receivedDataLogDir(int streamId) {
        return wal.data() == null ? null : wal.data().directory(streamId);
    }

    /** What runs the receivers outside this process, or null when they run here (local mode). */
    public ReceiverLauncher launcher() {
        return launcher;
    }

    public int numReceivers() {
        return receivers.size();
    }

    /**
     * Stops every receiver. With {@code graceful}, what the block generators still buffer becomes a last block and
     * stays unallocated until a batch takes it; otherwise unallocated blocks are dropped from the block store.
     */
    /** Closes the write-ahead logs once no batch is generated any more (after a graceful {@link #stop}). */
    public void closeLogs() {
        wal.close();
    }

    public void stop(boolean graceful) {
        List<ReceiverSupervisor<?>> toStop;
        boolean started;
        synchronized (this) {
            if (state == State.STOPPING || state == State.STOPPED) {
                return;
            }
            started = state == State.ACTIVE;
            state = State.STOPPING;
            toStop = started ? new ArrayList<>(supervisors.values()) : List.of();
        }
        if (started && launcher != null) {
            try {
                launcher.stop(graceful); // not under the lock: the receivers' last blocks still come in
            } catch (RuntimeException e) {
                LOG.warn("Error stopping the receivers placed by {}", launcher, e);
            }
        }
        for (ReceiverSupervisor<?> s : toStop) {
            try {
                s.stop(graceful);
            } catch (RuntimeException e) {
                LOG.warn("Error stopping the supervisor of stream {}", s.streamId(), e);
            }
        }
        var dropped = new ArrayList<ReceivedBlockInfo>();
        synchronized (this) {
            state = State.STOPPED;
            if (!graceful) {
                unallocated.values().forEach(dropped::addAll);
                unallocated.values().forEach(List::clear);
            }
        }
        removeBlocks(dropped);
        if (!graceful) {
            wal.close();
        } // a graceful stop still allocates the last blocks to batches, which the metadata log records: closeLogs()
        LOG.info("ReceiverTracker stopped {} receiver(s){}", launcher != null ? receivers.size() : toStop.size(),
                graceful ? "" : ", dropping " + dropped.size() + " unallocated block(s)");
    }
}
