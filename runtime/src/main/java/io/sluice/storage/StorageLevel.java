package io.sluice.storage;

import java.io.Serializable;

/**
 * Where and how a dataset's partitions or a received block are kept: memory and/or disk, deserialized objects
 * or serialized bytes, and how many copies on different executors.
 */
public record StorageLevel(boolean useDisk, boolean useMemory, boolean deserialized, int replication)
        implements Serializable {

    public static final StorageLevel NONE = new StorageLevel(false, false, false, 1);
    public static final StorageLevel DISK_ONLY = new StorageLevel(true, false, false, 1);
    public static final StorageLevel DISK_ONLY_2 = new StorageLevel(true, false, false, 2);
    public static final StorageLevel MEMORY_ONLY = new StorageLevel(false, true, true, 1);
    public static final StorageLevel MEMORY_ONLY_2 = new StorageLevel(false, true, true, 2);
    public static final StorageLevel MEMORY_ONLY_SER = new StorageLevel(false, true, false, 1);
    public static final StorageLevel MEMORY_ONLY_SER_2 = new StorageLevel(false, true, false, 2);
    public static final StorageLevel MEMORY_AND_DISK = new StorageLevel(true, true, true, 1);
    public static final StorageLevel MEMORY_AND_DISK_2 = new StorageLevel(true, true, true, 2);
    public static final StorageLevel MEMORY_AND_DISK_SER = new StorageLevel(true, true, false, 1);
    public static final StorageLevel MEMORY_AND_DISK_SER_2 = new StorageLevel(true, true, false, 2);

    public boolean isValid() {
        return useDisk || useMemory;
    }

    /** The description {@code toDebugString} shows, e.g. {@code Memory Deserialized 1x Replicated}. */
    public String description() {
        var sb = new StringBuilder();
        if (useDisk) {
            sb.append("Disk ");
        }
        if (useMemory) {
            sb.append("Memory ");
        }
        sb.append(deserialized ? "Deserialized " : "Serialized ");
        sb.append(replication).append("x Replicated");
        return sb.toString();
    }

    @Override
    public String toString() {
        return description();
    }
}
