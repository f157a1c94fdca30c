package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.TextFileDataset;
import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * [{@code threshold}, {@code t}], where {@code threshold} is the later of the time the stream started and
 * {@code t − remember}, and it was not taken by an earlier batch. {@code remember} is
 * {@code sluice.streaming.fileStream.minRememberDuration} rounded up to whole batches; the files taken in that
 * window are remembered, so no file is read twice. Files must therefore appear atomically (written elsewhere, then
 * moved or renamed into the directory) and must not change afterwards: a file that shows up with a modification time
 * older than the threshold is ignored, and changes to a file already taken are not read (unless the change gives it a
 * modification time in a later window, when it is read again as a whole). Names starting with {@code .} or
 * {@code _} (hidden and temporary files), names ending in {@code ._COPYING_} and directories are ignored.
 *
 * <p>Each batch has one partition per file, read inside the task. The record count is not reported: it is not
 * known without reading the files.
 */
public final class FileInputDStream extends InputDStream<String> {
    private static final Logger LOG = LogManager.getLogger(FileInputDStream.class);

    private final String directory;
    private final long rememberMs;
    // Guarded by this: batches are computed on the generator thread, but slice() may compute from another.
    private final TreeMap<Long, List<String>> selectedByBatch = new TreeMap<>();
    private final Set<String> recentlySelected = new HashSet<>();
    private transient FileSystem fs;
    private volatile long initialThresholdMs;

    public FileInputDStream(StreamingContext ssc, String directory) {
        super(ssc, "textFileStream");
        this.directory = Objects.requireNonNull(directory, "directory");
        long batchMs = ssc.batchDuration().toMillis();
        Duration minRemember = ssc.conf().get(SluiceConf.FILE_MIN_REMEMBER);
        long batches = Math.max(1, (minRemember.toMillis() + batchMs - 1) / batchMs);
        this.rememberMs = batches * batchMs;
        this.initialThresholdMs = ssc.clock().currentTimeMillis();
    }

    /** Only files modified from now on are new. */
    @Override
    public void start() {
        initialThresholdMs = context().clock().currentTimeMillis();
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
    protected Optional<Dataset<String>> compute(Time time) {
        List<String> files = selectNewFiles(time.milliseconds());
        if (!files.isEmpty()) {
            LOG.info("Stream {}: batch {} reads {} new file(s) from {}", inputId(), time, files.size(), directory);
        }
        return Optional.of(files.isEmpty()
                ? context().context().emptyDataset()
                : new TextFileDataset(context().context(), files));
    }

    private synchronized List<String> selectNewFiles(long now) {
        // Forget batches whose files can no longer pass the threshold below.
        selectedByBatch.headMap(now - rememberMs).values().forEach(recentlySelected::removeAll);
        selectedByBatch.headMap(now - rememberMs).clear();
        long threshold = Math.max(initialThresholdMs, now - rememberMs);
        var selected = new ArrayList<FileStatus>();
        try {
            FileSystem fileSystem = fileSystem();
            for (FileStatus st : fileSystem.listStatus(new Path(directory), p -> isVisible(p.getName()))) {
                String path = st.getPath().toString();
                long modTime = st.getModificationTime();
                if (!st.isFile() || modTime < threshold || modTime > now || recentlySelected.contains(path)) {
                    LOG.trace("Stream {}: not taking {} (modified {}, threshold {}, batch {})", inputId(), path,
                            modTime, threshold, now);
                    continue;
                }
                selected.add(st);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Stream {}: error listing {} for batch {} ms; the batch has no new files", inputId(), directory, now, e);
            fs = null; // the file system may have been closed or reconfigured; look it up again next batch
            return List.of();
        }
        selected.sort(Comparator.comparingLong(FileStatus::getModificationTime).thenComparing(st -> st.getPath().toString()));
        var paths = new ArrayList<String>(selected.size());
        for (FileStatus st : selected) {
            paths.add(st.getPath().toString());
        }
        selectedByBatch.put(now, paths);
        recentlySelected.addAll(paths);
        return paths;
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
}
