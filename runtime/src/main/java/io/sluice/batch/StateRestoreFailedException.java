package io.sluice.batch;

import io.sluice.api.Time;

/**
 * A task of a stage could not restore a partition of an operator's state from its saved copy: the job asks the
 * operator to fall back to an older saved version plus the batches since ({@link SluiceContext#addStateRestoreFailureHandler})
 * and runs again, at most {@code sluice.stage.maxConsecutiveAttempts} times. Not counted against the executor.
 */
public final class StateRestoreFailedException extends TaskFailedException {
    private final String storeKey;
    private final int partition;
    private final Time version;
    private final String snapshot;

    public StateRestoreFailedException(String message, String storeKey, int partition, Time version, String snapshot) {
        super(message, null);
        this.storeKey = storeKey;
        this.partition = partition;
        this.version = version;
        this.snapshot = snapshot;
    }

    /** The key of the operator's store ({@code StoreSpec.key()}). */
    public String storeKey() {
        return storeKey;
    }

    public int partition() {
        return partition;
    }

    /** The version whose saved copy could not be read. */
    public Time version() {
        return version;
    }

    /** The directory of that saved copy. */
    public String snapshot() {
        return snapshot;
    }
}
