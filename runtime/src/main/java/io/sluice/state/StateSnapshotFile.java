package io.sluice.state;

import io.sluice.api.Time;
import io.sluice.serde.Serializer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The file holding one partition of one version of an operator's state. Layout: magic {@code SLSN}, format version,
 * operator id, partition, state version; then chunks, each its length, its CRC32C and the serialized keys, values
 * and update times of up to {@value #CHUNK_ENTRIES} entries; then a zero length and the number of entries. Written
 * to a temporary name and renamed into place, so a reader never sees a partial file under the final name; a file
 * damaged later (a torn write, a flipped bit) fails its checksum or its trailer, with a message naming the file.
 */
public final class StateSnapshotFile {
    static final int MAGIC = 0x534C534E; // "SLSN"
    /** The format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;
    private static final int CHUNK_ENTRIES = 4096;

    private StateSnapshotFile() {
    }

    /** Writes {@code entries} as the given partition and version of {@code operatorId} to {@code file}. */
    public static <K, S> void write(FileSystem fs, Path file, String operatorId, int partition, Time version,
                                    Map<K, StateEntry<S>> entries, Serializer serializer) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + UUID.randomUUID() + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            var data = new DataOutputStream(out);
            data.writeInt(MAGIC);
            data.writeInt(FORMAT_VERSION);
            data.writeUTF(operatorId);
            data.writeInt(partition);
            data.writeLong(version.milliseconds());
            var chunk = new ArrayList<Object>(CHUNK_ENTRIES * 3);
            for (var e : entries.entrySet()) {
                chunk.add(e.getKey());
                chunk.add(e.getValue().value());
                chunk.add(e.getValue().updatedAt());
                if (chunk.size() == CHUNK_ENTRIES * 3) {
                    writeChunk(data, chunk, serializer);
                    chunk.clear();
                }
            }
            if (!chunk.isEmpty()) {
                writeChunk(data, chunk, serializer);
            }
            data.writeInt(0);
            data.writeLong(entries.size());
            data.flush();
            out.hsync();
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fs, tmp);
            throw e;
        }
        fs.delete(file, false);
        if (!fs.rename(tmp, file)) {
            deleteQuietly(fs, tmp);
            throw new IOException("Could not rename " + tmp + " to " + file);
        }
    }

    private static void writeChunk(DataOutputStream out, ArrayList<Object> chunk, Serializer serializer)
            throws IOException {
        byte[] bytes = serializer.serialize(chunk.toArray());
        var crc = new CRC32C();
        crc.update(bytes);
        out.writeInt(bytes.length);
        out.writeInt((int) crc.getValue());
        out.write(bytes);
    }

    /**
     * Reads the file {@link #write} wrote for this operator, partition and version.
     *
     * @throws CorruptStateException if the file is not a state snapshot, has another format version, belongs to
     *                               another operator, partition or version, or is damaged
     */
    public static <K, S> Map<K, StateEntry<S>> read(FileSystem fs, Path file, String operatorId, int partition,
                                                    Time version, Serializer serializer) throws IOException {
        var entries = new HashMap<K, StateEntry<S>>();
        try (DataInputStream in = new DataInputStream(fs.open(file))) {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new CorruptStateException("State snapshot " + file + " is not a Sluice state snapshot (magic "
                        + Integer.toHexString(magic) + ")");
            }
            int format = in.readInt();
            if (format != FORMAT_VERSION) {
                throw new CorruptStateException("State snapshot " + file + " has format version " + format
                        + "; this version of Sluice reads format " + FORMAT_VERSION);
            }
            String op = in.readUTF();
            int part = in.readInt();
            long v = in.readLong();
            if (!op.equals(operatorId) || part != partition || v != version.milliseconds()) {
                throw new CorruptStateException("State snapshot " + file + " holds partition " + part + " of operator '"
                        + op + "' at " + new Time(v) + ", not partition " + partition + " of '" + operatorId + "' at "
                        + version);
            }
            long offset = 4 + 4 + 2 + op.length() + 4 + 8;
            while (true) {
                int length = in.readInt();
                if (length == 0) {
                    break;
                }
                if (length < 0 || length > (1 << 30)) {
                    throw new CorruptStateException("State snapshot " + file + " is corrupt at offset " + offset
                            + ": chunk length " + length);
                }
                int expected = in.readInt();
                byte[] bytes = new byte[length];
                in.readFully(bytes);
                var crc = new CRC32C();
                crc.update(bytes);
                if ((int) crc.getValue() != expected) {
                    throw new CorruptStateException("State snapshot " + file + " is corrupt at offset " + offset
                            + ": checksum mismatch");
                }
                Object[] chunk = serializer.deserialize(bytes);
                for (int i = 0; i + 2 < chunk.length; i += 3) {
                    @SuppressWarnings("unchecked")
                    K key = (K) chunk[i];
                    @SuppressWarnings("unchecked")
                    S value = (S) chunk[i + 1];
                    entries.put(key, new StateEntry<>(value, (Long) chunk[i + 2]));
                }
                offset += 8 + length;
            }
            long count = in.readLong();
            if (count != entries.size()) {
                throw new CorruptStateException("State snapshot " + file + " is corrupt: its trailer counts " + count
                        + " entries, its chunks hold " + entries.size());
            }
        } catch (EOFException e) {
            throw new CorruptStateException("State snapshot " + file + " is truncated (it ends before its trailer)", e);
        } catch (org.apache.hadoop.fs.ChecksumException e) {
            // a checksummed file system (file:// keeps .crc files) found the damage first
            throw new CorruptStateException("State snapshot " + file + " is corrupt: " + e.getMessage(), e);
        }
        return entries;
    }

    private static void deleteQuietly(FileSystem fs, Path path) {
        try {
            fs.delete(path, false);
        } catch (IOException ignored) {
            // best effort: readers ignore temporary files
        }
    }

    /** A snapshot file that cannot be read as what it should be; the message names the file and the problem. */
    public static final class CorruptStateException extends IOException {
        public CorruptStateException(String message) {
            super(message);
        }

        public CorruptStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
