package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import io.sluice.serde.Serializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The map outputs of the tasks an executor ran, serialized: one block per bucket, named
 * {@code shuffle_<shuffle>_<map>_<reduce>}. A map output stays in memory while the blocks held in memory fit in
 * {@code memoryBytes}; one that does not fit is written to a file of its own in {@code directory} instead. Empty
 * buckets are not stored. {@link #release} drops a shuffle's blocks and deletes its files. Thread-safe: tasks write
 * and reducers (local ones, or remote ones through the transport) read concurrently.
 */
public final class ShuffleBlockStore implements MapOutputWriter, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ShuffleBlockStore.class);
    private static final byte[] EMPTY = new byte[0];

    private final ExecutorId location;
    private final Serializer serializer;
    private final long memoryBytes;
    private final Path directory;
    private final AtomicLong memoryUsed = new AtomicLong();
    private final AtomicLong nextFile = new AtomicLong();
    private final ConcurrentHashMap<Integer, ConcurrentHashMap<Integer, MapOutput>> shuffles = new ConcurrentHashMap<>();

    /**
     * One map task's blocks: in memory ({@code file} null, block r in {@code blocks[r]}) or in {@code file}, where
     * block r starts at {@code offsets[r]}. {@code sizes[r]} is its length, 0 for an empty bucket.
     */
    private record MapOutput(long[] sizes, byte[][] blocks, Path file, long[] offsets) {
        long totalBytes() {
            long total = 0;
            for (long s : sizes) {
                total += s;
            }
            return total;
        }
    }

    /**
     * @param location    the executor this store belongs to, reported in map statuses
     * @param memoryBytes how many bytes of blocks to keep in memory before writing map outputs to files
     * @param directory   an existing directory owned by this store, for the files
     */
    public ShuffleBlockStore(ExecutorId location, Serializer serializer, long memoryBytes, Path directory) {
        if (memoryBytes < 0) {
            throw new IllegalArgumentException("memoryBytes must not be negative, got " + memoryBytes);
        }
        this.location = location;
        this.serializer = serializer;
        this.memoryBytes = memoryBytes;
        this.directory = directory;
    }

    static String blockName(int shuffleId, int mapId, int reduceId) {
        return "shuffle_" + shuffleId + "_" + mapId + "_" + reduceId;
    }

    /** Serializes the buckets and keeps them, in memory if they fit in what is left of the budget, else in a file. */
    @Override
    public MapStatus write(int shuffleId, int mapId, Object[] buckets) {
        int n = buckets.length;
        long[] sizes = new long[n];
        byte[][] blocks = new byte[n][];
        long total = 0;
        for (int r = 0; r < n; r++) {
            blocks[r] = isEmpty(buckets[r]) ? EMPTY : serializer.serialize(buckets[r]);
            sizes[r] = blocks[r].length;
            total += sizes[r];
        }
        MapOutput output = reserve(total)
                ? new MapOutput(sizes, blocks, null, null)
                : spill(shuffleId, mapId, sizes, blocks);
        MapOutput previous = shuffles.computeIfAbsent(shuffleId, id -> new ConcurrentHashMap<>()).put(mapId, output);
        if (previous != null) {
            // a map task that ran again (a retry or a recomputation): its earlier output is superseded
            discard(previous);
        }
        return new MapStatus(location, mapId, sizes);
    }

    private static boolean isEmpty(Object bucket) {
        return bucket instanceof Collection<?> c ? c.isEmpty() : bucket instanceof Map<?, ?> m && m.isEmpty();
    }

    private boolean reserve(long bytes) {
        while (true) {
            long used = memoryUsed.get();
            if (used + bytes > memoryBytes) {
                return false;
            }
            if (memoryUsed.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    private MapOutput spill(int shuffleId, int mapId, long[] sizes, byte[][] blocks) {
        Path file = directory.resolve("shuffle_" + shuffleId + "_" + mapId + "_" + nextFile.getAndIncrement() + ".data");
        long[] offsets = new long[sizes.length];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long position = 0;
            for (int r = 0; r < blocks.length; r++) {
                offsets[r] = position;
                ByteBuffer buf = ByteBuffer.wrap(blocks[r]);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                position += sizes[r];
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the output of map " + mapId + " of shuffle " + shuffleId
                    + " to " + file + ": " + e.getMessage(), e);
        }
        LOG.debug("Map {} of shuffle {} did not fit in memory ({} of {} bytes used): wrote it to {}", mapId,
                shuffleId, memoryUsed.get(), memoryBytes, file);
        return new MapOutput(sizes, null, file, offsets);
    }

    /**
     * The blocks {@code (shuffleId, m, reduceId)} for each {@code m} of {@code mapIds}, in that order, read when
     * {@code next()} reaches them; an empty bucket is an empty array. {@code next()} throws a
     * {@link ShuffleFetchException} for an output this store does not have (never written, or released).
     */
    public Iterator<byte[]> blocks(int shuffleId, int reduceId, int[] mapIds) {
        return new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i < mapIds.length;
            }

            @Override
            public byte[] next() {
                if (i >= mapIds.length) {
                    throw new NoSuchElementException();
                }
                return read(shuffleId, mapIds[i++], reduceId);
            }
        };
    }

    private byte[] read(int shuffleId, int mapId, int reduceId) {
        var outputs = shuffles.get(shuffleId);
        MapOutput output = outputs == null ? null : outputs.get(mapId);
        if (output == null) {
            throw new ShuffleFetchException(location, shuffleId, mapId, reduceId,
                    "this executor has no output of that map (never written here, or released)", null);
        }
        if (output.file() == null) {
            return output.blocks()[reduceId];
        }
        int length = Math.toIntExact(output.sizes()[reduceId]);
        byte[] data = new byte[length];
        ByteBuffer buf = ByteBuffer.wrap(data);
        try (FileChannel ch = FileChannel.open(output.file(), StandardOpenOption.READ)) {
            long position = output.offsets()[reduceId];
            while (buf.hasRemaining()) {
                int read = ch.read(buf, position + buf.position());
                if (read < 0) {
                    throw new IOException("unexpected end of file at " + (position + buf.position()));
                }
            }
        } catch (NoSuchFileException e) {
            throw new ShuffleFetchException(location, shuffleId, mapId, reduceId,
                    "its file " + output.file() + " is gone (the shuffle was released)", e);
        } catch (IOException e) {
            throw new ShuffleFetchException(location, shuffleId, mapId, reduceId,
                    "error reading " + output.file() + ": " + e.getMessage(), e);
        }
        return data;
    }

    /** Drops every block of a shuffle and deletes its files; idempotent. */
    public void release(int shuffleId) {
        var outputs = shuffles.remove(shuffleId);
        if (outputs != null) {
            outputs.values().forEach(this::discard);
        }
    }

    private void discard(MapOutput output) {
        if (output.file() == null) {
            memoryUsed.addAndGet(-output.totalBytes());
            return;
        }
        try {
            Files.deleteIfExists(output.file());
        } catch (IOException e) {
            LOG.warn("Could not delete shuffle file {}", output.file(), e);
        }
    }

    /** Bytes of blocks held in memory. */
    public long memoryUsed() {
        return memoryUsed.get();
    }

    /** The files holding the map outputs of a shuffle that did not fit in memory. */
    public List<Path> files(int shuffleId) {
        var result = new ArrayList<Path>();
        var outputs = shuffles.get(shuffleId);
        if (outputs != null) {
            outputs.values().forEach(o -> {
                if (o.file() != null) {
                    result.add(o.file());
                }
            });
        }
        return result;
    }

    /** Releases every shuffle. The directory itself belongs to the caller. */
    @Override
    public void close() {
        for (Integer shuffleId : List.copyOf(shuffles.keySet())) {
            release(shuffleId);
        }
    }
}
