package io.sluice.wal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of a segment, in one place.
 *
 * <pre>
 * segment = header record*
 * header  = magic:int32 ("SLWL") version:int32
 * record  = length:int32 crc:int32 payload:byte[length]
 * </pre>
 * All integers are big-endian. {@code crc} is the CRC32C of the four length bytes followed by the payload, so a
 * damaged length is caught as surely as a damaged payload. Lengths are positive: a run of zero bytes (what some file
 * systems leave after a crash) never reads as a valid record.
 */
final class SegmentFormat {
    static final int MAGIC = 0x534C574C; // "SLWL"
    static final int VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int FRAME_HEADER_BYTES = 8;
    /** Larger lengths can only come from damage; refusing them keeps a bad length from allocating gigabytes. */
    static final int MAX_RECORD_BYTES = 512 * 1024 * 1024;

    private SegmentFormat() {
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).array();
    }

    /** The whole frame of one record, ready to be written with a single call. */
    static byte[] frame(ByteBuffer payload) {
        int length = payload.remaining();
        if (length == 0) {
            throw new IllegalArgumentException("A write-ahead log record cannot be empty");
        }
        if (length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("A write-ahead log record holds at most " + MAX_RECORD_BYTES
                    + " bytes, got " + length);
        }
        var frame = ByteBuffer.allocate(FRAME_HEADER_BYTES + length);
        frame.putInt(length).putInt(0).put(payload.duplicate());
        frame.putInt(4, crc(frame.array(), length));
        return frame.array();
    }

    /** CRC32C over the length field and the payload that follows the checksum field in {@code frame}. */
    private static int crc(byte[] frame, int length) {
        var crc = new CRC32C();
        crc.update(frame, 0, 4);
        crc.update(frame, FRAME_HEADER_BYTES, length);
        return (int) crc.getValue();
    }

    /**
     * Checks the header of {@code file}. Returns false for an empty file (a writer that died between creating the
     * segment and writing its header: nothing was ever acknowledged from it).
     *
     * @throws IncompatibleLogFormatException for a wrong magic or version
     * @throws CorruptRecordException         for a header cut short
     */
    static boolean readHeader(InputStream in, String file) throws IOException {
        var header = new byte[HEADER_BYTES];
        int n = in.readNBytes(header, 0, HEADER_BYTES);
        if (n == 0) {
            return false;
        }
        if (n < HEADER_BYTES) {
            throw new CorruptRecordException(file, 0, "the segment header is truncated (" + n + " of "
                    + HEADER_BYTES + " bytes)");
        }
        var b = ByteBuffer.wrap(header);
        int magic = b.getInt();
        int version = b.getInt();
        if (magic != MAGIC) {
            throw new IncompatibleLogFormatException(file, String.format(
                    "not a Sluice write-ahead log segment (magic 0x%08X, expected 0x%08X)", magic, MAGIC));
        }
        if (version != VERSION) {
            throw new IncompatibleLogFormatException(file, "written in format version " + version
                    + ", this Sluice reads format version " + VERSION
                    + "; recover it with the Sluice version that wrote it");
        }
        return true;
    }

    /**
     * Reads the record at {@code offset}, the current position of {@code in}. Returns null at a clean end of the
     * segment (no byte left).
     *
     * @param expectedLength the payload length the caller knows (from a handle), or -1
     * @throws CorruptRecordException for a truncated record, an impossible length or a checksum mismatch
     */
    static ByteBuffer readRecord(InputStream in, String file, long offset, int expectedLength) throws IOException {
        var head = new byte[FRAME_HEADER_BYTES];
        int n = in.readNBytes(head, 0, FRAME_HEADER_BYTES);
        if (n == 0 && expectedLength < 0) {
            return null;
        }
        if (n < FRAME_HEADER_BYTES) {
            throw new CorruptRecordException(file, offset, "the record header is truncated (" + n + " of "
                    + FRAME_HEADER_BYTES + " bytes; a write was cut short)");
        }
        var h = ByteBuffer.wrap(head);
        int length = h.getInt();
        int storedCrc = h.getInt();
        if (length <= 0 || length > MAX_RECORD_BYTES) {
            throw new CorruptRecordException(file, offset, "impossible record length " + length);
        }
        if (expectedLength >= 0 && length != expectedLength) {
            throw new CorruptRecordException(file, offset, "record length " + length + " where the handle says "
                    + expectedLength);
        }
        var frame = new byte[FRAME_HEADER_BYTES + length];
        System.arraycopy(head, 0, frame, 0, FRAME_HEADER_BYTES);
        int read = in.readNBytes(frame, FRAME_HEADER_BYTES, length);
        if (read < length) {
            throw new CorruptRecordException(file, offset, "the record is truncated (" + read + " of " + length
                    + " payload bytes; a write was cut short)");
        }
        int actualCrc = crc(frame, length);
        if (actualCrc != storedCrc) {
            throw new CorruptRecordException(file, offset, String.format(
                    "checksum mismatch (stored CRC32C 0x%08X, computed 0x%08X)", storedCrc, actualCrc));
        }
        return ByteBuffer.wrap(frame, FRAME_HEADER_BYTES, length).slice().asReadOnlyBuffer();
    }

}
