package io.sluice.scheduler;

import io.sluice.api.Time;

/**
 * An output operation of a batch failed (its job threw, for example because a task failed more than
 * {@code sluice.task.maxFailures} times). {@code StreamingContext.awaitTermination()} throws it, with the operation's
 * error as its cause, so that an application that only waits for its context fails — and its supervisor restarts it.
 * The stream itself keeps running (later operations and batches still run) until the application stops it.
 */
public final class OutputOperationFailedException extends RuntimeException {
    private final transient Time batchTime;
    private final int outputOpId;
    private final String operation;

    public OutputOperationFailedException(Time batchTime, int outputOpId, String operation, Throwable cause) {
        super("Output operation " + outputOpId + " (" + operation + ") of batch " + batchTime + " failed: " + cause, cause);
        this.batchTime = batchTime;
        this.outputOpId = outputOpId;
        this.operation = operation;
    }

    public Time batchTime() {
        return batchTime;
    }

    public int outputOpId() {
        return outputOpId;
    }

    /** The operation's name, such as {@code foreachRDD} or {@code saveAsTextFiles}. */
    public String operation() {
        return operation;
    }
}
