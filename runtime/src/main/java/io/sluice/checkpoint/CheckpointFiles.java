package io.sluice.checkpoint;

import io.sluice.api.Time;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The metadata checkpoints of an application: {@code <checkpointDir>/metadata/checkpoint-<completedTimeMs>-<sequence>},
 * each written to a temporary name and renamed into place under a name never used before (the sequence goes on from
 * the newest file, across drivers), newest {@value #KEPT} kept. A file is magic {@code SLCK}, a format version, the
 * body length, the body and its CRC32C. Reading takes the newest file that is intact; a damaged or unreadable one is
 * reported (naming the file) and the next older one is used — recovery from the last good point. A file of an unknown
 * format version is refused rather than misread; files of format 1 ({@code checkpoint-<completedTimeMs>}, without run
 * id or input positions) are still read.
 */
public final class CheckpointFiles {
    private static final Logger LOG = LogManager.getLogger(CheckpointFiles.class);
    static final int MAGIC = 0x534C434B; // "SLCK"
    /** The format this code writes and reads. */
    public static final int FORMAT_VERSION = 2;
    static final int KEPT = 10;
    private static final String PREFIX = "checkpoint-";
    /** An operator's restore version when the checkpoint names none. */
    private static final long NO_VERSION = Long.MIN_VALUE;

    private final FileSystem fs;
    private final Path dir;
    /** The sequence number of the next file; -1 until the directory was listed. Only the writer's thread writes. */
    private long nextSequence = -1;

    public CheckpointFiles(FileSystem fs, Path checkpointDir) {
        this.fs = fs;
        this.dir = new Path(checkpointDir, "metadata");
    }

    /**
     * Writes {@code cp} as the newest checkpoint, durably ({@code hsync}) and under a new name, and deletes the oldest
     * beyond the kept ones. Not thread-safe: one writer at a time.
     */
    public Path write(MetadataCheckpoint cp) throws IOException {
        byte[] body = encode(cp);
        var crc = new CRC32C();
        crc.update(body);
        if (nextSequence < 0) {
            List<FileStatus> existing = list();
            nextSequence = existing.isEmpty() ? 0 : sequenceOf(existing.get(existing.size() - 1).getPath().getName()) + 1;
        }
        Path file = new Path(dir, PREFIX + cp.completedTime().milliseconds() + "-" + nextSequence);
        Path tmp = new Path(dir, "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            var data = new DataOutputStream(out);
            data.writeInt(MAGIC);
            data.writeInt(FORMAT_VERSION);
            data.writeInt(body.length);
            data.write(body);
            data.writeInt((int) crc.getValue());
            data.flush();
            out.hsync();
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
        // the name is new, so the rename never replaces a checkpoint: a crash leaves the previous ones intact
        if (!fs.rename(tmp, file)) {
            fs.delete(tmp, false);
            throw new IOException("Could not rename " + tmp + " to " + file);
        }
        nextSequence++;
        List<FileStatus> all = list();
        for (int i = 0; i + KEPT < all.size(); i++) {
            fs.delete(all.get(i).getPath(), false);
        }
        return file;
    }

    /**
     * The newest intact checkpoint, if any. Damaged files are skipped with a warning naming them.
     *
     * @throws IncompatibleCheckpointException if the newest readable file has another format version
     */
    public Optional<MetadataCheckpoint> readLatest() throws IOException {
        List<FileStatus> all = list();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path file = all.get(i).getPath();
            try {
                return Optional.of(read(file));
            } catch (CorruptCheckpointException e) {
                LOG.warn("{}; trying the checkpoint before it", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Every intact checkpoint still kept, oldest first: those a restarted driver may recover from (it falls back to
     * older ones when newer ones are damaged). Damaged files are skipped.
     */
    public List<MetadataCheckpoint> readKept() throws IOException {
        var result = new ArrayList<MetadataCheckpoint>();
        for (FileStatus st : list()) {
            try {
                result.add(read(st.getPath()));
            } catch (CorruptCheckpointException | java.io.FileNotFoundException e) {
                LOG.debug("Skipping {}: {}", st.getPath(), e.getMessage());
            }
        }
        return result;
    }

    /** Reads one checkpoint file. */
    public MetadataCheckpoint read(Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            var data = new DataInputStream(in);
            int magic = data.readInt();
            if (magic != MAGIC) {
                throw new CorruptCheckpointException("Checkpoint file " + file + " is not a Sluice checkpoint (magic "
                        + Integer.toHexString(magic) + ")");
            }
            int version = data.readInt();
            if (version != FORMAT_VERSION && version != 1) {
                throw new IncompatibleCheckpointException("Checkpoint file " + file + " has format version " + version
                        + "; this version of Sluice reads formats 1 to " + FORMAT_VERSION + ". Start the application with "
                        + "a new checkpoint directory, or with the Sluice version that wrote it.");
            }
            int length = data.readInt();
            if (length < 0 || length > (64 << 20)) {
                throw new CorruptCheckpointException("Checkpoint file " + file + " is corrupt: body length " + length);
            }
            byte[] body = new byte[length];
            data.readFully(body);
            int expected = data.readInt();
            var crc = new CRC32C();
            crc.update(body);
            if ((int) crc.getValue() != expected) {
                throw new CorruptCheckpointException("Checkpoint file " + file + " is corrupt: checksum mismatch");
            }
            return version == 1 ? decodeVersion1(body) : decode(body);
        } catch (EOFException e) {
            throw new CorruptCheckpointException("Checkpoint file " + file + " is truncated", e);
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            throw new CorruptCheckpointException("Checkpoint file " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** The checkpoint files, oldest first (temporary files ignored). */
    List<FileStatus> list() throws IOException {
        var result = new ArrayList<FileStatus>();
        if (!fs.exists(dir)) {
            return result;
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isFile() && completedTimeOf(name) >= 0) {
                result.add(st);
            }
        }
        // written order: the sequence (format 1 files, without one, are older than every numbered file), then time
        result.sort(Comparator.<FileStatus>comparingLong(st -> sequenceOf(st.getPath().getName()))
                .thenComparingLong(st -> completedTimeOf(st.getPath().getName())));
        return result;
    }

    /**
     * The completed batch time (ms) in the name of a checkpoint file ({@code checkpoint-<ms>-<sequence>}, or
     * {@code checkpoint-<ms>} in format 1), or -1 if {@code fileName} is not one.
     */
    public static long completedTimeOf(String fileName) {
        if (!fileName.startsWith(PREFIX)) {
            return -1;
        }
        String rest = fileName.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        try {
            long time = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            if (dash >= 0 && Long.parseLong(rest.substring(dash + 1)) < 0) {
                return -1;
            }
            return time;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long sequenceOf(String fileName) {
        String rest = fileName.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        return dash < 0 ? -1 : Long.parseLong(rest.substring(dash + 1));
    }

    private static byte[] encode(MetadataCheckpoint cp) throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeUTF(cp.appName());
        out.writeUTF(cp.runId());
        out.writeLong(cp.batchDurationMs());
        out.writeLong(cp.zeroTime().milliseconds());
        out.writeLong(cp.completedTime().milliseconds());
        out.writeInt(cp.pendingTimes().size());
        for (Time t : cp.pendingTimes()) {
            out.writeLong(t.milliseconds());
        }
        out.writeInt(cp.operators().size());
        for (var op : cp.operators()) {
            out.writeUTF(op.id());
            out.writeUTF(op.kind());
            out.writeInt(op.numPartitions());
        }
        out.writeInt(cp.sources().size());
        for (var source : cp.sources()) {
            out.writeUTF(source.id());
            out.writeInt(source.formatVersion());
            byte[] position = source.position();
            out.writeInt(position.length);
            out.write(position);
        }
        // the saved version of each operator's state that a restart from this checkpoint restores
        out.writeInt(cp.operators().size());
        for (var op : cp.operators()) {
            out.writeLong(op.restoreFrom() == null ? NO_VERSION : op.restoreFrom().milliseconds());
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static MetadataCheckpoint decode(byte[] body) throws IOException {
        var in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        String appName = in.readUTF();
        String runId = in.readUTF();
        var head = decodeCommon(in);
        int s = in.readInt();
        var sources = new ArrayList<MetadataCheckpoint.Source>(s);
        for (int i = 0; i < s; i++) {
            String id = in.readUTF();
            int version = in.readInt();
            byte[] position = new byte[in.readInt()];
            in.readFully(position);
            sources.add(new MetadataCheckpoint.Source(id, version, position));
        }
        int r = in.readInt(); // each operator's saved version to restore from
        if (r != head.ops.size()) {
            throw new CorruptCheckpointException("Checkpoint is corrupt: it names " + r + " restore versions for "
                    + head.ops.size() + " operators");
        }
        var ops = new ArrayList<MetadataCheckpoint.Operator>(r);
        for (var op : head.ops) {
            long ms = in.readLong();
            ops.add(new MetadataCheckpoint.Operator(op.id(), op.kind(), op.numPartitions(),
                    ms == NO_VERSION ? null : new Time(ms)));
        }
        return new MetadataCheckpoint(appName, runId, head.batchMs, head.zero, head.completed, head.pending, ops,
                sources);
    }

    /** Format 1 had no run id (the zero time stands for it) and no input positions. */
    private static MetadataCheckpoint decodeVersion1(byte[] body) throws IOException {
        var in = new DataInputStream(new java.io.ByteArrayInputStream(body));
        String appName = in.readUTF();
        var head = decodeCommon(in);
        return new MetadataCheckpoint(appName, "run-" + head.zero.milliseconds(), head.batchMs, head.zero,
                head.completed, head.pending, head.ops, List.of());
    }

    private record Common(long batchMs, Time zero, Time completed, List<Time> pending,
                          List<MetadataCheckpoint.Operator> ops) {
    }

    private static Common decodeCommon(DataInputStream in) throws IOException {
        long batchMs = in.readLong();
        Time zero = new Time(in.readLong());
        Time completed = new Time(in.readLong());
        int n = in.readInt();
        var pending = new ArrayList<Time>(n);
        for (int i = 0; i < n; i++) {
            pending.add(new Time(in.readLong()));
        }
        int m = in.readInt();
        var ops = new ArrayList<MetadataCheckpoint.Operator>(m);
        for (int i = 0; i < m; i++) {
            ops.add(new MetadataCheckpoint.Operator(in.readUTF(), in.readUTF(), in.readInt()));
        }
        return new Common(batchMs, zero, completed, pending, ops);
    }

    /** A checkpoint file that cannot be read; the message names it. Recovery uses an older one. */
    public static class CorruptCheckpointException extends IOException {
        public CorruptCheckpointException(String message) {
            super(message);
        }

        public CorruptCheckpointException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A checkpoint written in another format version: refused, not misread. */
    public static final class IncompatibleCheckpointException extends IOException {
        public IncompatibleCheckpointException(String message) {
            super(message);
        }
    }
}
