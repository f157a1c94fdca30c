package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.TextFileDataset;
import io.sluice.checkpoint.SourcePosition;
import io.sluice.conf.SluiceConf;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The lines of the new files of a directory on any Hadoop file system ({@code StreamingContext.textFileStream}).
 *
 * <p>At batch time {@code t} the directory is listed and a file is taken if its modification time lies in
 * [{@code threshold}, {@code t}], where {@code threshold} is the later of the time the stream first started and
 * {@code t − remember}, and it was not taken by an earlier batch. {@code remember} is
 * {@code sluice.streaming.fileStream.minRememberDuration} rounded up to whole batches; the files taken in that
 * window are remembered, so no file is read twice. Files must therefore appear atomically (written elsewhere, then
 * moved or renamed into the directory) and must not change afterwards: a file that shows up with a modification time
 * older than the threshold is ignored, and changes to a file already taken are not read (unless the change gives it a
 * modification time in a later window, when it is read again as a whole). Names starting with {@code .} or
 * {@code _} (hidden and temporary files), names ending in {@code ._COPYING_} and directories are ignored.
 *
 * <p>Which files each batch took is this stream's {@link SourcePosition}, saved in the metadata checkpoint before the
 * batch runs: a restarted driver gives every batch it runs again, or replays into state, exactly the files it had,
 * and the batches due while it was down take the files that arrived meanwhile (the threshold stays the first start's).
 *
 * <p>Each batch has one partition per file, read inside the task. The record count is not reported: it is not
 * known without reading the files.
 */
public final class FileInputDStream extends InputDStream<String> {
    private static final Logger LOG = LogManager.getLogger(FileInputDStream.class);
    private static final int POSITION_FORMAT = 1;

    private final String directory;
    private final long rememberMs;
    // Guarded by this: batches are computed on the generator thread, but slice() may compute from another.
    /** The files of every batch that may still run again or be replayed, and of those in the remember window. */
    private final TreeMap<Long, List<String>> selectedByBatch = new TreeMap<>();
    /** The files taken in the remember window before the newest batch, with the batch that took each. */
    private final Map<String, Long> recentlySelected = new HashMap<>();
    /** Positions of batches up to this time may be dropped once out of the remember window. */
    private long forgettableUpTo = Long.MIN_VALUE;
    private transient FileSystem fs;
    private long initialThresholdMs = -1;
    private final Position position = new Position();

    public FileInputDStream(StreamingContext ssc, String directory) {
        super(ssc, "textFileStream");
        this.directory = Objects.requireNonNull(directory, "directory");
        long batchMs = ssc.batchDuration().toMillis();
        Duration minRemember = ssc.conf().get(SluiceConf.FILE_MIN_REMEMBER);
        long batches = Math.max(1, (minRemember.toMillis() + batchMs - 1) / batchMs);
        this.rememberMs = batches * batchMs;
    }

    /** Only files modified from now on are new, unless a restarted driver restored the first start's threshold. */
    @Override
    public synchronized void start() {
        if (initialThresholdMs < 0) {
            initialThresholdMs = context().clock().currentTimeMillis();
        }
        LOG.info("Stream {}: watching {} for new files modified from {} ms (remembering {} ms of files)", inputId(),
                directory, initialThresholdMs, rememberMs);
    }

    public String directory() {
        return directory;
    }

    /** How far back files are remembered: the minimum remember duration rounded up to whole batches. */
    public Duration rememberWindow() {
        return Duration.ofMillis(rememberMs);
    }

    @Override
    public Optional<SourcePosition> position() {
        return Optional.of(position);
    }

    @Override
    protected Optional<Dataset<String>> compute(Time time) {
        List<String> files = filesOf(time.milliseconds());
        if (!files.isEmpty()) {
            LOG.info("Stream {}: batch {} reads {} file(s) from {}", inputId(), time, files.size(), directory);
        }
        return Optional.of(files.isEmpty()
                ? context().context().emptyDataset()
                : new TextFileDataset(context().context(), files));
    }

    /** The files of batch {@code now}: those it took before (also in an earlier driver), else the new ones. */
    private synchronized List<String> filesOf(long now) {
        List<String> known = selectedByBatch.get(now);
        if (known != null) {
            return known;
        }
        if (!selectedByBatch.isEmpty() && now < selectedByBatch.lastKey()) {
            // an old batch whose files were forgotten: listing now would take files that belong to later batches
            LOG.warn("Stream {}: batch {} ms is older than the newest batch ({} ms) and its files are no longer known; "
                    + "it reads no files", inputId(), now, selectedByBatch.lastKey());
            return List.of();
        }
        return selectNewFiles(now);
    }

    private List<String> selectNewFiles(long now) {
        if (initialThresholdMs < 0) {
            initialThresholdMs = context().clock().currentTimeMillis();
        }
        forgetOlderThan(now);
        long threshold = Math.max(initialThresholdMs, now - rememberMs);
        var selected = new ArrayList<FileStatus>();
        try {
            FileSystem fileSystem = fileSystem();
            for (FileStatus st : fileSystem.listStatus(new Path(directory), p -> isVisible(p.getName()))) {
                String path = st.getPath().toString();
                long modTime = st.getModificationTime();
                if (!st.isFile() || modTime < threshold || modTime > now || recentlySelected.containsKey(path)) {
                    LOG.trace("Stream {}: not taking {} (modified {}, threshold {}, batch {})", inputId(), path,
                            modTime, threshold, now);
                    continue;
                }
                selected.add(st);
            }
        } catch (IOException | RuntimeException e) {
            // nothing is lost: the files stay new for the next batches that can list them (within the remember window)
            LOG.warn("Stream {}: error listing {} for batch {} ms; the batch has no new files, later ones take them",
                    inputId(), directory, now, e);
            fs = null; // the file system may have been closed or reconfigured; look it up again next batch
            selected.clear();
        }
        selected.sort(Comparator.comparingLong(FileStatus::getModificationTime).thenComparing(st -> st.getPath().toString()));
        var paths = new ArrayList<String>(selected.size());
        for (FileStatus st : selected) {
            paths.add(st.getPath().toString());
        }
        record(now, paths);
        return paths;
    }

    private void record(long batch, List<String> paths) {
        List<String> files = List.copyOf(paths);
        selectedByBatch.put(batch, files);
        files.forEach(f -> recentlySelected.put(f, batch));
    }

    /** Files taken before {@code now − remember} can no longer pass the threshold: no need to remember them. */
    private void forgetOlderThan(long now) {
        long limit = now - rememberMs;
        recentlySelected.values().removeIf(batch -> batch < limit);
        // with checkpoints, the driver says which batches may still run again or be replayed (forgetUpTo)
        long keepFrom = context().checkpointDir() == null ? limit : Math.min(limit, forgettableUpTo + 1);
        selectedByBatch.headMap(keepFrom).clear();
    }

    /** Hidden ({@code .x}) and temporary ({@code _x}, {@code x._COPYING_}) names are never read. */
    static boolean isVisible(String name) {
        return !name.startsWith(".") && !name.startsWith("_") && !name.endsWith("._COPYING_");
    }

    private FileSystem fileSystem() throws IOException {
        if (fs == null) {
            fs = new Path(directory).getFileSystem(context().context().hadoopConf());
        }
        return fs;
    }

    /**
     * The stream's position: the threshold of the first start, and the files of every batch still needed (format 1:
     * threshold, then per batch its time and its files' paths).
     */
    private final class Position implements SourcePosition {
        @Override
        public String sourceId() {
            return userName().map(n -> "textFileStream:" + n).orElse("textFileStream:" + directory);
        }

        @Override
        public int formatVersion() {
            return POSITION_FORMAT;
        }

        @Override
        public byte[] save(Time after) {
            synchronized (FileInputDStream.this) {
                var bytes = new ByteArrayOutputStream();
                try (var out = new DataOutputStream(bytes)) {
                    out.writeLong(initialThresholdMs);
                    // the remember window of the newest batch too: a restarted driver must not take those files again
                    long from = selectedByBatch.isEmpty() ? after.milliseconds()
                            : Math.min(after.milliseconds(), selectedByBatch.lastKey() - rememberMs);
                    var batches = selectedByBatch.tailMap(from, false);
                    out.writeInt(batches.size());
                    for (var e : batches.entrySet()) {
                        out.writeLong(e.getKey());
                        out.writeInt(e.getValue().size());
                        for (String f : e.getValue()) {
                            out.writeUTF(f);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // in memory: cannot happen
                }
                return bytes.toByteArray();
            }
        }

        @Override
        public void restore(int formatVersion, byte[] saved) {
            if (formatVersion != POSITION_FORMAT) {
                throw new IllegalStateException("The checkpoint has the position of " + sourceId() + " in format "
                        + formatVersion + "; this version of Sluice reads format " + POSITION_FORMAT + ". Start with "
                        + "the Sluice version that wrote it, or with a new checkpoint directory.");
            }
            synchronized (FileInputDStream.this) {
                try (var in = new DataInputStream(new ByteArrayInputStream(saved))) {
                    initialThresholdMs = in.readLong();
                    int batches = in.readInt();
                    for (int i = 0; i < batches; i++) {
                        long batch = in.readLong();
                        int n = in.readInt();
                        var files = new ArrayList<String>(n);
                        for (int j = 0; j < n; j++) {
                            files.add(in.readUTF());
                        }
                        record(batch, files);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("The checkpoint's position of " + sourceId() + " is damaged: " + e, e);
                }
                LOG.info("Stream {}: continues from the checkpoint: {} batch(es) with their files up to {} ms, new files "
                        + "modified from {} ms", inputId(), selectedByBatch.size(),
                        selectedByBatch.isEmpty() ? "-" : selectedByBatch.lastKey(), initialThresholdMs);
            }
        }

        @Override
        public void forgetUpTo(Time time) {
            synchronized (FileInputDStream.this) {
                forgettableUpTo = Math.max(forgettableUpTo, time.milliseconds());
            }
        }
    }
}
