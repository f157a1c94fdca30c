package io.sluice.supervision;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The lifecycle events of one application's driver on a Hadoop file system ({@code sluice.driver.eventLogDir}):
 * {@code <dir>/<app id>/attempt-<n>.events}, one {@link DriverEvent#toLine() line} per event, each file rewritten
 * (to a temporary name, then renamed) as its attempt's events arrive. Every supervisor writes its own attempts, so
 * a YARN ApplicationMaster attempt and its successor never write the same file; {@link #read} merges them in order.
 * A failed write is logged, never failing the supervisor.
 */
public final class DriverEventLog implements DriverLifecycleListener {
    private static final Logger LOG = LogManager.getLogger(DriverEventLog.class);
    private static final String SUFFIX = ".events";

    private final FileSystem fs;
    private final Path appDir;
    private final Map<Integer, List<String>> lines = new TreeMap<>(); // guarded by this

    public DriverEventLog(FileSystem fs, Path appDir) {
        this.fs = fs;
        this.appDir = appDir;
    }

    /** The log of {@code appId} under {@code dir} ({@code sluice.driver.eventLogDir}). */
    public static DriverEventLog open(String dir, String appId, Configuration hadoopConf) throws IOException {
        Path appDir = new Path(dir, appId);
        FileSystem fs = appDir.getFileSystem(hadoopConf);
        return new DriverEventLog(fs, fs.makeQualified(appDir));
    }

    public Path dir() {
        return appDir;
    }

    @Override
    public synchronized void onEvent(DriverEvent event) {
        var attemptLines = lines.computeIfAbsent(event.attempt(), a -> new ArrayList<>());
        attemptLines.add(event.toLine());
        Path file = new Path(appDir, "attempt-" + event.attempt() + SUFFIX);
        Path tmp = new Path(appDir, "_attempt-" + event.attempt() + SUFFIX + ".tmp");
        try {
            fs.mkdirs(appDir);
            try (OutputStream out = fs.create(tmp, true)) {
                out.write((String.join("\n", attemptLines) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(file, false);
            if (!fs.rename(tmp, file)) {
                throw new IOException("cannot rename " + tmp + " to " + file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot write the driver's lifecycle event {} to {}: {}", event, file, e.toString());
        }
    }

    /** Every event logged under {@code appDir}, attempt by attempt, each attempt's in order. */
    public static List<DriverEvent> read(FileSystem fs, Path appDir) throws IOException {
        if (!fs.exists(appDir)) {
            return List.of();
        }
        var files = new ArrayList<FileStatus>();
        for (FileStatus st : fs.listStatus(appDir)) {
            String name = st.getPath().getName();
            if (name.startsWith("attempt-") && name.endsWith(SUFFIX)) {
                files.add(st);
            }
        }
        files.sort(Comparator.comparingInt(st -> attemptOf(st.getPath().getName())));
        var events = new ArrayList<DriverEvent>();
        for (FileStatus st : files) {
            String text;
            try (FSDataInputStream in = fs.open(st.getPath())) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    events.add(DriverEvent.parse(line));
                }
            }
        }
        return events;
    }

    private static int attemptOf(String name) {
        return Integer.parseInt(name.substring("attempt-".length(), name.length() - SUFFIX.length()));
    }
}
