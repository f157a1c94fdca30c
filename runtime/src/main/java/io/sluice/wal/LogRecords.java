package io.sluice.wal;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;

/**
 * The records of a write-ahead log, read lazily. Close it when done (it holds an open segment). Not thread-safe:
 * one reader iterates it.
 */
public interface LogRecords extends Iterator<ByteBuffer>, AutoCloseable {

    /**
     * The damage met so far: one entry per segment whose end could not be read (a torn tail, a checksum mismatch),
     * naming the file and offset. Complete once {@link #hasNext()} returned false.
     */
    List<CorruptRecordException> damage();

    @Override
    void close();
}
