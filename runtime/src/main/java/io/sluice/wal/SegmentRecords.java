package io.sluice.wal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads the records of a list of segments, one segment open at a time. Damage in a segment (torn tail, checksum
 * mismatch) ends that segment: nothing after it there can be trusted, since a bad length would misframe every
 * later record. It is logged, remembered in {@link #damage()}, and reading goes on with the next segment, which a
 * writer (retrying, or restarted) began afresh.
 */
final class SegmentRecords implements LogRecords {
    private static final Logger LOG = LogManager.getLogger(SegmentRecords.class);

    private final FileSystem fs;
    private final List<Path> segments;
    private final List<CorruptRecordException> damage = new ArrayList<>();
    private int nextSegment;
    private FSDataInputStream in;
    private String file;
    private ByteBuffer next;

    SegmentRecords(FileSystem fs, List<Path> segments) {
        this.fs = fs;
        this.segments = List.copyOf(segments);
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (in == null && !openNextSegment()) {
                return false;
            }
            try {
                long offset = in.getPos();
                next = SegmentFormat.readRecord(in, file, offset, -1);
                if (next == null) {
                    closeSegment();
                }
            } catch (CorruptRecordException e) {
                report(e);
                closeSegment();
            } catch (IOException e) {
                closeSegment();
                throw new WriteAheadLogException("Cannot read write-ahead log segment " + file + ": " + e, e);
            }
        }
        return true;
    }

    /** Opens the next non-empty segment; false when none is left. */
    private boolean openNextSegment() {
        while (nextSegment < segments.size()) {
            Path path = segments.get(nextSegment++);
            file = path.toString();
            try {
                in = fs.open(path);
                if (SegmentFormat.readHeader(in, file)) {
                    return true;
                }
                LOG.info("Write-ahead log segment {} is empty (its writer stopped before writing anything)", file);
            } catch (CorruptRecordException e) {
                report(e);
            } catch (FileNotFoundException e) {
                LOG.info("Write-ahead log segment {} was deleted while being read (cleaned); skipping it", file);
            } catch (IOException e) {
                closeSegment();
                throw new WriteAheadLogException("Cannot read write-ahead log segment " + file + ": " + e, e);
            } catch (IncompatibleLogFormatException e) {
                closeSegment();
                throw e;
            }
            closeSegment();
        }
        return false;
    }

    private void report(CorruptRecordException e) {
        damage.add(e);
        LOG.warn("{}. Recovery keeps every record before it and goes on with the next segment.", e.getMessage());
    }

    @Override
    public ByteBuffer next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ByteBuffer r = next;
        next = null;
        return r;
    }

    @Override
    public List<CorruptRecordException> damage() {
        return List.copyOf(damage);
    }

    private void closeSegment() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                LOG.debug("Closing {} failed", file, e);
            }
            in = null;
        }
    }

    @Override
    public void close() {
        closeSegment();
        nextSegment = segments.size();
        next = null;
    }
}
