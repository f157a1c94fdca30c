package io.sluice.wal;

/**
 * Where one record of a write-ahead log is: the segment file (a full path, with scheme), the byte offset of its
 * frame, and its payload length. Enough to read that record alone, from any process that can reach the file system.
 */
public record RecordHandle(String path, long offset, int length) {

    public RecordHandle {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("Invalid record handle for " + path + ": offset " + offset
                    + ", length " + length);
        }
    }
}
