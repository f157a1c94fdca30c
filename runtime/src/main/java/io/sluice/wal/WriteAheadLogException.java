package io.sluice.wal;

/**
 * A write-ahead log operation failed for good: a write that still failed after its retries, a segment that cannot be
 * read. The message names the file or directory involved.
 */
public class WriteAheadLogException extends RuntimeException {

    public WriteAheadLogException(String message, Throwable cause) {
        super(message, cause);
    }

    public WriteAheadLogException(String message) {
        super(message);
    }
}
