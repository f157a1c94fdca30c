package io.sluice.wal;

import io.sluice.api.Time;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A {@link WriteAheadLog} in one directory of a Hadoop {@link FileSystem} (HDFS, the local file system, anything
 * with a syncable output stream).
 *
 * <p>Records go into segment files named after the window of record time they cover ({@link SegmentName}); a
 * record whose time falls outside the open segment's window closes it and opens the segment of its own window.
 * Each write is synced before it returns: {@code hsync} where the stream supports it (HDFS, and the raw local file
 * system, which this class uses instead of the checksummed one), otherwise {@code hflush}.
 *
 * <p>A write that throws an {@link IOException} is retried after a pause that doubles up to a cap, each time in a
 * new segment (the old one may end in half a record, which readers detect and skip); after the configured number
 * of retries it fails with a {@link WriteAheadLogException} naming the file.
 *
 * <p>Thread-safe: writes are serialized; reads and listing need no lock.
 */
public final class FileSystemWriteAheadLog implements WriteAheadLog {
    private static final Logger LOG = LogManager.getLogger(FileSystemWriteAheadLog.class);

    private final FileSystem fs;
    private final Path dir;
    private final WalSettings settings;
    // guarded by this
    private OpenSegment current;
    private boolean closed;
    private boolean hflushOnlyWarned;
    /** The file the current write attempt works on, for messages. */
    private Path pathInUse;

    private record OpenSegment(SegmentName name, Path path, FSDataOutputStream out, boolean hsync) {
    }

    /**
     * @param fs  the file system holding {@code dir}; the local file system is used through its raw (unchecksummed)
     *            form, whose streams really sync and which leaves no {@code .crc} files beside the segments
     * @param dir the log's directory, created if missing
     */
    public FileSystemWriteAheadLog(FileSystem fs, Path dir, WalSettings settings) {
        this.fs = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        this.dir = this.fs.makeQualified(dir);
        this.settings = settings;
    }

    /** A log in {@code dir} (any Hadoop file system URI), with the file system {@code hadoopConf} gives for it. */
    public static FileSystemWriteAheadLog open(String dir, Configuration hadoopConf, WalSettings settings) {
        var path = new Path(dir);
        try {
            return new FileSystemWriteAheadLog(path.getFileSystem(hadoopConf), path, settings);
        } catch (IOException e) {
            throw new WriteAheadLogException("Cannot reach the file system of write-ahead log directory " + dir
                    + ": " + e.getMessage(), e);
        }
    }

    /** The log's directory, fully qualified. */
    public Path directory() {
        return dir;
    }

    // ---------------------------------------------------------------- writing

    @Override
    public RecordHandle write(ByteBuffer record, Time time) {
        byte[] frame = SegmentFormat.frame(record);
        long pause = settings.retryBackoff().toMillis();
        synchronized (this) {
            for (int attempt = 0; ; attempt++) {
                if (closed) {
                    throw new IllegalStateException("The write-ahead log in " + dir + " is closed");
                }
                try {
                    return writeOnce(frame, time.milliseconds());
                } catch (IOException e) {
                    Path target = pathInUse;
                    // The stream may now end in part of this frame: never append to it again.
                    abandonCurrent();
                    if (attempt >= settings.maxRetries()) {
                        throw new WriteAheadLogException("Could not write a record of " + (frame.length
                                - SegmentFormat.FRAME_HEADER_BYTES) + " bytes (time " + time + ") to the write-ahead log "
                                + "at " + target + " after " + (attempt + 1) + " attempt(s): " + e
                                + ". Check that the file system is reachable, writable and not full; "
                                + "sluice.streaming.writeAheadLog.maxRetries and .retryBackoff set how long to keep "
                                + "trying.", e);
                    }
                    LOG.warn("Write to the write-ahead log at {} failed (attempt {} of {}); retrying in a new segment "
                            + "in {} ms: {}", target, attempt + 1, settings.maxRetries() + 1, pause, e.toString());
                    pauseBeforeRetry(pause, target, e);
                    pause = Math.min(pause * 2, settings.maxRetryBackoff().toMillis());
                }
            }
        }
    }

    private RecordHandle writeOnce(byte[] frame, long timeMs) throws IOException {
        if (current == null || !current.name().contains(timeMs)) {
            roll(timeMs);
        }
        pathInUse = current.path();
        long offset = current.out().getPos();
        current.out().write(frame);
        sync(current);
        return new RecordHandle(current.path().toString(), offset, frame.length - SegmentFormat.FRAME_HEADER_BYTES);
    }

    /** Closes the open segment and opens a new one for the window of {@code timeMs}, with a name not yet taken. */
    private void roll(long timeMs) throws IOException {
        closeCurrent();
        pathInUse = dir;
        fs.mkdirs(dir);
        SegmentName name = SegmentName.windowOf(timeMs, settings.rollingInterval().toMillis());
        while (true) {
            Path path = new Path(dir, name.fileName());
            pathInUse = path;
            if (!fs.exists(path)) {
                try {
                    FSDataOutputStream out = fs.create(path, false);
                    var segment = new OpenSegment(name, path, out, out.hasCapability(StreamCapabilities.HSYNC));
                    current = segment;
                    out.write(SegmentFormat.header());
                    sync(segment);
                    LOG.debug("Opened write-ahead log segment {}", path);
                    return;
                } catch (FileAlreadyExistsException e) {
                    LOG.debug("Segment {} appeared meanwhile; trying the next name", path);
                }
            }
            name = name.next();
        }
    }

    private void sync(OpenSegment segment) throws IOException {
        if (segment.hsync()) {
            segment.out().hsync();
        } else {
            if (!hflushOnlyWarned) {
                hflushOnlyWarned = true;
                LOG.warn("The file system of {} cannot hsync; write-ahead log records are only flushed (hflush), "
                        + "and may be lost if the machine fails", dir);
            }
            segment.out().hflush();
        }
    }

    /** Closes the open segment; its records are already synced, so a failing close loses nothing. */
    private void closeCurrent() {
        if (current == null) {
            return;
        }
        OpenSegment segment = current;
        current = null;
        try {
            segment.out().close();
        } catch (IOException e) {
            LOG.warn("Closing write-ahead log segment {} failed; its records were synced before: {}", segment.path(),
                    e.toString());
        }
    }

    private void abandonCurrent() {
        if (current != null) {
            LOG.info("Abandoning write-ahead log segment {} after a failed write; later records go to a new segment",
                    current.path());
            closeCurrent();
        }
    }

    private static void pauseBeforeRetry(long ms, Path target, IOException cause) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            var e = new WriteAheadLogException("Interrupted while retrying a write to the write-ahead log at " + target, ie);
            e.addSuppressed(cause);
            throw e;
        }
    }

    // ---------------------------------------------------------------- reading

    @Override
    public ByteBuffer read(RecordHandle handle) {
        return read(fs, handle);
    }

    /**
     * Reads one record by its handle, from any process, without a log instance: a task reading a block that is no
     * longer in any block store does this. Throws as {@link #read(RecordHandle)}.
     */
    public static ByteBuffer read(RecordHandle handle, Configuration hadoopConf) {
        var path = new Path(handle.path());
        FileSystem fs;
        try {
            fs = path.getFileSystem(hadoopConf);
        } catch (IOException e) {
            throw new WriteAheadLogException("Cannot reach the file system of write-ahead log segment " + handle.path()
                    + ": " + e.getMessage(), e);
        }
        return read(fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs, handle);
    }

    private static ByteBuffer read(FileSystem fs, RecordHandle handle) {
        var path = new Path(handle.path());
        try (var in = fs.open(path)) {
            if (!SegmentFormat.readHeader(in, handle.path())) {
                throw new CorruptRecordException(handle.path(), handle.offset(), "the segment is empty");
            }
            in.seek(handle.offset());
            return SegmentFormat.readRecord(in, handle.path(), handle.offset(), handle.length());
        } catch (FileNotFoundException e) {
            throw new WriteAheadLogException("Write-ahead log segment " + handle.path() + " does not exist (was it "
                    + "cleaned while a batch still needed it?)", e);
        } catch (IOException e) {
            throw new WriteAheadLogException("Cannot read the write-ahead log record at offset " + handle.offset()
                    + " of " + handle.path() + ": " + e, e);
        }
    }

    @Override
    public LogRecords readAll() {
        return new SegmentRecords(fs, listSegments().stream().map(FileStatus::getPath).toList());
    }

    /** The segment files of this log, in reading order; temporaries and foreign files are left out. */
    List<FileStatus> listSegments() {
        FileStatus[] files;
        try {
            files = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw new WriteAheadLogException("Cannot list the write-ahead log directory " + dir + ": " + e, e);
        }
        var segments = new ArrayList<FileStatus>();
        for (FileStatus f : files) {
            if (f.isFile() && SegmentName.parse(f.getPath().getName()).isPresent()) {
                segments.add(f);
            }
        }
        segments.sort((a, b) -> SegmentName.ORDER.compare(nameOf(a), nameOf(b)));
        return segments;
    }

    private static SegmentName nameOf(FileStatus f) {
        return SegmentName.parse(f.getPath().getName()).orElseThrow();
    }

    // ---------------------------------------------------------------- cleaning and closing

    @Override
    public void clean(Time threshold) {
        var old = new ArrayList<Path>();
        for (FileStatus f : listSegments()) {
            if (nameOf(f).endMs() <= threshold.milliseconds()) {
                old.add(f.getPath());
            }
        }
        if (old.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (current != null && old.contains(current.path())) {
                closeCurrent(); // every record it could take is older than the threshold
            }
        }
        int deleted = 0;
        for (Path p : old) {
            try {
                if (fs.delete(p, false)) {
                    deleted++;
                }
            } catch (IOException e) {
                LOG.warn("Could not delete old write-ahead log segment {} (tried again at the next cleanup): {}", p,
                        e.toString());
            }
        }
        LOG.debug("Deleted {} write-ahead log segment(s) of {} older than {}", deleted, dir, threshold);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeCurrent();
        }
    }

    @Override
    public String toString() {
        return "FileSystemWriteAheadLog[" + dir + "]";
    }
}
