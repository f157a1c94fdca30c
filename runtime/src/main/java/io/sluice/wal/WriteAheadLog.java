package io.sluice.wal;

import io.sluice.api.Time;
import java.nio.ByteBuffer;

/**
 * An append-only log of byte records, each tagged with a time, that survives the process writing it.
 *
 * <p>Usage: {@code write} records as they arrive (each is durable when the call returns, so it may be acknowledged
 * then); after a restart, {@code readAll} them back, or {@code read} single ones by the handle {@code write}
 * returned; {@code clean} periodically with the time before which nothing is needed any more; {@code close} at the
 * end.
 *
 * <p>Implementations are thread-safe. Delivery on recovery is at least once: a write that failed after reaching
 * the file system and was retried may be read back twice.
 */
public interface WriteAheadLog extends AutoCloseable {

    /**
     * Appends {@code record} (its remaining bytes; the buffer's position is not changed) with time {@code time}
     * and returns where it is. When this returns the record is durable: synced to disk, or on HDFS to every
     * replica's DataNode.
     *
     * @throws WriteAheadLogException when the write still fails after the configured retries; the message names
     *                                the file
     * @throws IllegalArgumentException for an empty record
     */
    RecordHandle write(ByteBuffer record, Time time);

    /**
     * Reads back the record at {@code handle} (a read-only buffer).
     *
     * @throws CorruptRecordException         when the record is damaged (the message names file and offset)
     * @throws IncompatibleLogFormatException when the segment has another format version
     * @throws WriteAheadLogException         when the segment cannot be read (deleted by {@link #clean}, say)
     */
    ByteBuffer read(RecordHandle handle);

    /**
     * Every record in the log, segment after segment in time order, each segment's records in the order they were
     * written. Damage ends a segment early: what came before it in that segment and every later segment are still
     * returned, and the damage is logged and reported by {@link LogRecords#damage()}.
     *
     * @throws IncompatibleLogFormatException (from the iterator) for a segment of another format version: reading
     *                                        on could silently lose data, so recovery stops
     */
    LogRecords readAll();

    /**
     * Deletes every segment all of whose records have a time before {@code threshold}. Records at or after it stay.
     * A segment that cannot be deleted now is logged and tried again by the next call.
     */
    void clean(Time threshold);

    /** Closes the segment being written. Idempotent; no write is accepted afterwards. */
    @Override
    void close();
}
