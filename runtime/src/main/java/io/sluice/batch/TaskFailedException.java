package io.sluice.batch;

/** A job failed because one of its tasks threw; the task's exception is the cause. */
public class TaskFailedException extends RuntimeException {
    public TaskFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
