package io.sluice.state;

import io.sluice.api.Time;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where the saved versions of operators' state live under a checkpoint directory:
 * {@code <checkpointDir>/state/<operatorId>/<versionMs>/part-NNNNN}, one {@link StateSnapshotFile} per partition,
 * and a {@value #COMMITTED} marker once every partition of that version is written. A version without the marker
 * is incomplete and ignored by readers.
 */
public final class StateSnapshots {
    static final String COMMITTED = "_COMMITTED";

    private final FileSystem fs;
    private final Path root;

    /** @param checkpointDir the application's checkpoint directory */
    public StateSnapshots(FileSystem fs, Path checkpointDir) {
        this.fs = fs;
        this.root = new Path(checkpointDir, "state");
    }

    public FileSystem fileSystem() {
        return fs;
    }

    /** The directory of one version of an operator's state. */
    public Path versionDir(String operatorId, Time version) {
        return versionDir(root, operatorId, version);
    }

    /** Like {@link #versionDir(String, Time)}, from the {@code state} directory alone (as tasks know it). */
    public static Path versionDir(Path stateRoot, String operatorId, Time version) {
        return new Path(new Path(stateRoot, URLEncoder.encode(operatorId, StandardCharsets.UTF_8)),
                Long.toString(version.milliseconds()));
    }

    /** The file of one partition in a version directory. */
    public static Path partitionFile(Path versionDir, int partition) {
        return new Path(versionDir, String.format("part-%05d", partition));
    }

    /** The {@code state} directory under the checkpoint directory. */
    public Path root() {
        return root;
    }

    /** Marks a version complete: every partition file is in place. */
    public void commit(String operatorId, Time version) throws IOException {
        Path marker = new Path(versionDir(operatorId, version), COMMITTED);
        fs.create(marker, true).close();
    }

    /** The committed versions of an operator's state, oldest first. */
    public List<Time> committedVersions(String operatorId) throws IOException {
        Path dir = new Path(root, URLEncoder.encode(operatorId, StandardCharsets.UTF_8));
        var versions = new ArrayList<Time>();
        if (!fs.exists(dir)) {
            return versions;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            if (!st.isDirectory()) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(st.getPath().getName());
            } catch (NumberFormatException e) {
                continue;
            }
            if (fs.exists(new Path(st.getPath(), COMMITTED))) {
                versions.add(new Time(v));
            }
        }
        versions.sort(Time::compareTo);
        return versions;
    }

    /** The newest committed version of an operator's state, if any. */
    public Optional<Time> latestCommitted(String operatorId) throws IOException {
        List<Time> all = committedVersions(operatorId);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** True if {@code version} of an operator's state is committed and has the file of every partition. */
    public boolean isComplete(String operatorId, Time version, int numPartitions) throws IOException {
        Path vdir = versionDir(operatorId, version);
        if (!fs.exists(new Path(vdir, COMMITTED))) {
            return false;
        }
        for (int p = 0; p < numPartitions; p++) {
            if (!fs.exists(partitionFile(vdir, p))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes the versions of an operator's state that are older than {@code oldestNeeded}, except the newest
     * committed one among them (the fallback should {@code oldestNeeded} turn out unreadable); incomplete versions
     * older than what is kept go too. Returns the versions deleted, oldest first.
     */
    public List<Time> retainFrom(String operatorId, Time oldestNeeded) throws IOException {
        Time keepFrom = oldestNeeded;
        for (Time v : committedVersions(operatorId)) {
            if (v.isBefore(oldestNeeded)) {
                keepFrom = v; // the newest committed one before the oldest needed
            }
        }
        Path dir = new Path(root, URLEncoder.encode(operatorId, StandardCharsets.UTF_8));
        var deleted = new ArrayList<Time>();
        if (!fs.exists(dir)) {
            return deleted;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            long v;
            try {
                v = Long.parseLong(st.getPath().getName());
            } catch (NumberFormatException e) {
                continue; // not ours
            }
            if (st.isDirectory() && v < keepFrom.milliseconds() && fs.delete(st.getPath(), true)) {
                deleted.add(new Time(v));
            }
        }
        deleted.sort(Time::compareTo);
        return deleted;
    }
}
