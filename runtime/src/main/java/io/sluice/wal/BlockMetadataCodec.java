package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.receiver.ReceivedBlockInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of {@link BlockMetadataEvent}s: explicit fields, no Java serialization and no class names, so a
 * log stays readable when classes change.
 *
 * <pre>
 * event       = version:byte(1) type:byte body
 * BlockAdded  (1) = block
 * BatchAllocated (2) = batchTimeMs:long streams:int (streamId:int count:int block*)*
 * BatchCleaned (3) = thresholdMs:long
 * block       = streamId:int blockId:utf blockTimeMs:long numRecords:long locations:int utf* hasHandle:bool
 *               [path:utf offset:long length:int]
 * </pre>
 * A new field means a new event version; readers refuse versions they do not know instead of guessing.
 */
final class BlockMetadataCodec {
    static final byte VERSION = 1;
    private static final byte BLOCK_ADDED = 1;
    private static final byte BATCH_ALLOCATED = 2;
    private static final byte BATCH_CLEANED = 3;

    private BlockMetadataCodec() {
    }

    static ByteBuffer encode(BlockMetadataEvent event) {
        var bytes = new ByteArrayOutputStream(128);
        try (var out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            // Java 17 has no pattern switch; the interface is sealed, so this chain is exhaustive.
            if (event instanceof BlockMetadataEvent.BlockAdded e) {
                out.writeByte(BLOCK_ADDED);
                writeBlock(out, e.block());
            } else if (event instanceof BlockMetadataEvent.BatchAllocated e) {
                out.writeByte(BATCH_ALLOCATED);
                out.writeLong(e.batchTime().milliseconds());
                out.writeInt(e.blocks().size());
                for (var s : e.blocks().entrySet()) {
                    out.writeInt(s.getKey());
                    out.writeInt(s.getValue().size());
                    for (ReceivedBlockInfo b : s.getValue()) {
                        writeBlock(out, b);
                    }
                }
            } else if (event instanceof BlockMetadataEvent.BatchCleaned e) {
                out.writeByte(BATCH_CLEANED);
                out.writeLong(e.threshold().milliseconds());
            } else {
                throw new IllegalStateException("unknown event " + event);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return ByteBuffer.wrap(bytes.toByteArray());
    }

    /**
     * @throws IllegalArgumentException for an unknown version or event type, or bytes that end early
     */
    static BlockMetadataEvent decode(ByteBuffer record) {
        var bytes = new byte[record.remaining()];
        record.duplicate().get(bytes);
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("block metadata event version " + version + ", this Sluice reads "
                        + "version " + VERSION);
            }
            byte type = in.readByte();
            BlockMetadataEvent event = switch (type) {
                case BLOCK_ADDED -> new BlockMetadataEvent.BlockAdded(readBlock(in));
                case BATCH_ALLOCATED -> {
                    var time = new Time(in.readLong());
                    int streams = in.readInt();
                    Map<Integer, List<ReceivedBlockInfo>> blocks = new LinkedHashMap<>();
                    for (int i = 0; i < streams; i++) {
                        int streamId = in.readInt();
                        int count = in.readInt();
                        var list = new ArrayList<ReceivedBlockInfo>(Math.min(count, 1024));
                        for (int j = 0; j < count; j++) {
                            list.add(readBlock(in));
                        }
                        blocks.put(streamId, list);
                    }
                    yield new BlockMetadataEvent.BatchAllocated(time, blocks);
                }
                case BATCH_CLEANED -> new BlockMetadataEvent.BatchCleaned(new Time(in.readLong()));
                default -> throw new IllegalArgumentException("unknown block metadata event type " + type);
            };
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " unexpected byte(s) after a " + event.getClass()
                        .getSimpleName() + " event");
            }
            return event;
        } catch (IOException e) {
            throw new IllegalArgumentException("block metadata event cut short: " + e, e);
        }
    }

    private static void writeBlock(DataOutputStream out, ReceivedBlockInfo b) throws IOException {
        out.writeInt(b.streamId());
        out.writeUTF(b.blockId());
        out.writeLong(b.blockTimeMs());
        out.writeLong(b.numRecords());
        out.writeInt(b.locations().size());
        for (String l : b.locations()) {
            out.writeUTF(l);
        }
        RecordHandle h = b.walHandle();
        out.writeBoolean(h != null);
        if (h != null) {
            out.writeUTF(h.path());
            out.writeLong(h.offset());
            out.writeInt(h.length());
        }
    }

    private static ReceivedBlockInfo readBlock(DataInputStream in) throws IOException {
        int streamId = in.readInt();
        String blockId = in.readUTF();
        long time = in.readLong();
        long records = in.readLong();
        int n = in.readInt();
        var locations = new ArrayList<String>(Math.min(n, 16));
        for (int i = 0; i < n; i++) {
            locations.add(in.readUTF());
        }
        RecordHandle handle = in.readBoolean() ? new RecordHandle(in.readUTF(), in.readLong(), in.readInt()) : null;
        return new ReceivedBlockInfo(streamId, blockId, time, records, locations, handle);
    }
}
