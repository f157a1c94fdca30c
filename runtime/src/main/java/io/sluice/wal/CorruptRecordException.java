package io.sluice.wal;

/**
 * A record of a write-ahead log segment is damaged: its checksum does not match, its length is impossible, or the
 * segment ends in the middle of it (a torn write). Names the segment file and the byte offset of the record.
 */
public final class CorruptRecordException extends WriteAheadLogException {
    private final String file;
    private final long offset;

    public CorruptRecordException(String file, long offset, String problem) {
        super("Corrupt write-ahead log record in " + file + " at offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** The segment file holding the damaged record. */
    public String file() {
        return file;
    }

    /** The byte offset in {@link #file()} where the damaged record starts. */
    public long offset() {
        return offset;
    }
}
