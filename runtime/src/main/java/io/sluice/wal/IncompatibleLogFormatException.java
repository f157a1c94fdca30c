package io.sluice.wal;

/**
 * A file in a write-ahead log directory is not a segment this version of Sluice can read: it lacks the segment
 * magic, or it was written in another format version. Never read past: misreading it would lose or invent data.
 */
public final class IncompatibleLogFormatException extends WriteAheadLogException {
    private final String file;

    public IncompatibleLogFormatException(String file, String problem) {
        super("Cannot read write-ahead log segment " + file + ": " + problem);
        this.file = file;
    }

    /** The file that could not be read. */
    public String file() {
        return file;
    }
}
