package io.sluice.storage;

import io.sluice.serde.Serializer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Blocks kept by this process: persisted dataset partitions ({@code rdd_<id>_<partition>}) and received input
 * ({@code input-<stream>-<time>}).
 *
 * <p>A store built with a serializer (an executor's) keeps blocks {@linkplain #put put} with a serialized storage
 * level ({@code *_SER}) as bytes: in memory while the serialized blocks in memory fit in {@code memoryBytes}; a block
 * that does not fit goes to a file of its own in the store's directory if its level allows disk
 * ({@code MEMORY_AND_DISK_SER}, {@code DISK_ONLY}), and stays in memory over the budget otherwise (received data is
 * never dropped). {@link #get} deserializes either transparently; {@link #openSerialized} serves the bytes as they are
 * kept (a file channel for a block on disk), so a block streamed to a peer is not serialized again. Deserialized
 * levels, {@link #getOrCompute} (persisted partitions) and a store without a serializer (local mode) keep objects.
 *
 * <p>Thread-safe: receivers, tasks and the transport use it concurrently. {@link #remove} gives back the memory and
 * deletes the file of a block.
 */
public final class BlockStore {
    private static final Logger LOG = LogManager.getLogger(BlockStore.class);

    private final ConcurrentHashMap<String, StoredBlock> blocks = new ConcurrentHashMap<>();
    private final Serializer serializer;
    private final long memoryBytes;
    private final Path directory;
    private final AtomicLong memoryUsed = new AtomicLong();
    private final AtomicLong nextFile = new AtomicLong();

    /** How one block is kept. */
    public sealed interface StoredBlock permits Objects, InMemoryBytes, OnDisk {
        StorageLevel level();

        /** Records in the block; -1 if not known (a copy that arrived as bytes without a count). */
        long count();
    }

    /** Deserialized records. */
    public record Objects(List<?> data, StorageLevel level) implements StoredBlock {
        @Override
        public long count() {
            return data.size();
        }
    }

    /** Serialized records (one serialized {@code List}) held in memory, counted against the budget. */
    public record InMemoryBytes(byte[] bytes, long count, StorageLevel level) implements StoredBlock {
    }

    /** Serialized records in a file of the store's directory. */
    public record OnDisk(Path file, long bytes, long count, StorageLevel level) implements StoredBlock {
    }

    /** Statistics of a persisted dataset for lineage output. */
    public record DatasetStats(int partitions, long elements) {
        public String memoryDescription() {
            return elements + " elements";
        }
    }

    /** A store that keeps every block as objects (local mode, the driver). */
    public BlockStore() {
        this(null, 0, null);
    }

    /**
     * @param serializer  serializes blocks of serialized levels; null keeps every block as objects
     * @param memoryBytes bytes of serialized blocks kept in memory before blocks that may use disk go to files
     * @param directory   where blocks on disk are written (created when the first one is); null means no disk
     */
    public BlockStore(Serializer serializer, long memoryBytes, Path directory) {
        if (memoryBytes < 0) {
            throw new IllegalArgumentException("memoryBytes must be >= 0, got " + memoryBytes);
        }
        this.serializer = serializer;
        this.memoryBytes = memoryBytes;
        this.directory = directory;
    }

    /** Stores a copy of {@code data} (serialized, if the level says so and this store serializes). */
    public void put(String blockId, List<?> data, StorageLevel level) {
        if (keepsSerialized(level)) {
            putSerialized(blockId, serializer.serialize(new ArrayList<>(data)), data.size(), level);
        } else {
            replace(blockId, new Objects(List.copyOf(data), level));
        }
    }

    /** Stores without copying; the caller hands over ownership of {@code data}. */
    public void putOwned(String blockId, List<?> data, StorageLevel level) {
        if (keepsSerialized(level)) {
            putSerialized(blockId, serializer.serialize(data instanceof ArrayList<?> ? data : new ArrayList<>(data)),
                    data.size(), level);
        } else {
            replace(blockId, new Objects(data, level));
        }
    }

    /**
     * Stores a block given as the serialized form of its records' {@code List} (a replicated copy, say): in memory
     * within the budget, else on disk if the level allows it, else in memory anyway.
     *
     * @param count records in the block, -1 if unknown
     */
    public void putSerialized(String blockId, byte[] bytes, long count, StorageLevel level) {
        if (serializer == null) {
            throw new IllegalStateException("block " + blockId + " arrived serialized, but this store keeps objects "
                    + "and has no serializer to read it with");
        }
        boolean fits = level.useMemory() && reserve(bytes.length);
        if (fits || !level.useDisk() || directory == null) {
            if (!fits) {
                memoryUsed.addAndGet(bytes.length); // over the budget: received data is not dropped
                LOG.warn("Block {} ({} bytes) kept in memory over the block budget of {} bytes: level {} {}", blockId,
                        bytes.length, memoryBytes, level, directory == null ? "and no directory for blocks" : "allows no disk");
            }
            replace(blockId, new InMemoryBytes(bytes, count, level));
            return;
        }
        Path file = newFile(blockId);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write block " + blockId + " to " + file + ": " + e.getMessage(), e);
        }
        LOG.debug("Block {} ({} bytes) written to {}: {} of {} bytes of memory in use", blockId, bytes.length, file,
                memoryUsed.get(), memoryBytes);
        replace(blockId, new OnDisk(file, bytes.length, count, level));
    }

    /**
     * Where a block of {@code bytes} serialized bytes that is about to arrive should be written: null if it fits in
     * memory (then call {@link #putSerialized}), else a fresh file of the store's directory to write it to and hand
     * over with {@link #adoptFile}. Nothing is reserved.
     */
    public Path spillFileFor(String blockId, long bytes, StorageLevel level) {
        if (!level.useDisk() || directory == null || (level.useMemory() && memoryUsed.get() + bytes <= memoryBytes)) {
            return null;
        }
        return newFile(blockId);
    }

    /** Takes over {@code file} (in this store's directory, holding a block serialized) as block {@code blockId}. */
    public void adoptFile(String blockId, Path file, long count, StorageLevel level) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot adopt block file " + file + ": " + e.getMessage(), e);
        }
        replace(blockId, new OnDisk(file, size, count, level));
    }

    @SuppressWarnings("unchecked")
    public <T> List<T> get(String blockId) {
        StoredBlock b = blocks.get(blockId);
        if (b == null) {
            return null;
        }
        if (b instanceof Objects o) {
            return (List<T>) o.data();
        }
        if (b instanceof InMemoryBytes m) {
            return serializer.deserialize(m.bytes());
        }
        var d = (OnDisk) b;
        try {
            return serializer.deserialize(Files.readAllBytes(d.file()));
        } catch (NoSuchFileException e) {
            return null; // removed meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read block " + blockId + " from " + d.file() + ": " + e.getMessage(), e);
        }
    }

    /** How the block is kept, or null if it is not here. */
    public StoredBlock stored(String blockId) {
        return blocks.get(blockId);
    }

    /**
     * The block's records serialized as one {@code List}, as a channel (the file itself for a block on disk), or
     * null if the block is not here. A block kept as objects is serialized now, which needs a serializer.
     */
    public ReadableByteChannel openSerialized(String blockId) throws IOException {
        StoredBlock b = blocks.get(blockId);
        if (b == null) {
            return null;
        }
        if (b instanceof Objects o) {
            if (serializer == null) {
                throw new IllegalStateException("block " + blockId + " is kept as objects and this store has no serializer");
            }
            return Channels.newChannel(new ByteArrayInputStream(serializer.serialize(new ArrayList<>(o.data()))));
        }
        if (b instanceof InMemoryBytes m) {
            return Channels.newChannel(new ByteArrayInputStream(m.bytes()));
        }
        return FileChannel.open(((OnDisk) b).file(), StandardOpenOption.READ);
    }

    public boolean contains(String blockId) {
        return blocks.containsKey(blockId);
    }

    /**
     * Returns the stored block, computing and storing it first if absent (always as objects). The computation runs
     * outside the map's locks (it may itself read other persisted blocks); two tasks racing on one block both
     * compute, one result wins.
     */
    @SuppressWarnings("unchecked")
    public <T> List<T> getOrCompute(String blockId, StorageLevel level, Supplier<List<T>> compute) {
        List<T> present = get(blockId);
        if (present != null) {
            return present;
        }
        var fresh = new Objects(compute.get(), level);
        StoredBlock raced = blocks.putIfAbsent(blockId, fresh);
        return raced == null ? (List<T>) fresh.data() : get(blockId);
    }

    public void remove(String blockId) {
        release(blocks.remove(blockId));
    }

    public void removeDataset(int datasetId) {
        String prefix = "rdd_" + datasetId + "_";
        for (String id : List.copyOf(blocks.keySet())) {
            if (id.startsWith(prefix)) {
                remove(id);
            }
        }
    }

    public DatasetStats datasetStats(int datasetId) {
        String prefix = "rdd_" + datasetId + "_";
        int partitions = 0;
        long elements = 0;
        for (Map.Entry<String, StoredBlock> e : blocks.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                partitions++;
                elements += Math.max(0, e.getValue().count());
            }
        }
        return new DatasetStats(partitions, elements);
    }

    public int size() {
        return blocks.size();
    }

    /** Bytes of serialized blocks held in memory now. */
    public long memoryUsed() {
        return memoryUsed.get();
    }

    private boolean keepsSerialized(StorageLevel level) {
        return serializer != null && !level.deserialized();
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

    private Path newFile(String blockId) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the block directory " + directory + ": " + e.getMessage(), e);
        }
        return directory.resolve(blockId.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + nextFile.incrementAndGet() + ".block");
    }

    private void replace(String blockId, StoredBlock block) {
        release(blocks.put(blockId, block));
    }

    private void release(StoredBlock b) {
        if (b instanceof InMemoryBytes m) {
            memoryUsed.addAndGet(-m.bytes().length);
        } else if (b instanceof OnDisk d) {
            try {
                Files.deleteIfExists(d.file());
            } catch (IOException e) {
                LOG.warn("Could not delete block file {}: {}", d.file(), e.toString());
            }
        }
    }
}
