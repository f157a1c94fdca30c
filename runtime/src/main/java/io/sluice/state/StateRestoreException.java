package io.sluice.state;

import io.sluice.api.Time;

/**
 * A task could not restore a partition of an operator's state from its saved copy (the snapshot file is missing,
 * truncated or corrupt). Not the fault of the process running the task: the driver falls back to an older saved
 * version and the batches since, when it still has them, and runs the job again.
 */
public final class StateRestoreException extends RuntimeException {
    private final String storeKey;
    private final int partition;
    private final Time version;
    private final String snapshot;

    /**
     * @param storeKey  the key of the operator's store ({@link StoreSpec#key()})
     * @param version   the version that could not be restored
     * @param snapshot  the directory of its saved copy
     */
    public StateRestoreException(String message, String storeKey, int partition, Time version, String snapshot,
                                 Throwable cause) {
        super(message, cause);
        this.storeKey = storeKey;
        this.partition = partition;
        this.version = version;
        this.snapshot = snapshot;
    }

    public String storeKey() {
        return storeKey;
    }

    public int partition() {
        return partition;
    }

    public Time version() {
        return version;
    }

    public String snapshot() {
        return snapshot;
    }
}
