package io.sluice.deploy;

/**
 * A submission the cluster manager cannot run (a missing jar, an unknown queue, containers larger than the cluster
 * allows), or a cluster manager that cannot be reached; the message says which and why, naming the setting to change.
 */
public class SubmitException extends RuntimeException {
    public SubmitException(String message) {
        super(message);
    }

    public SubmitException(String message, Throwable cause) {
        super(message, cause);
    }
}
