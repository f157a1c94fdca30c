package io.sluice.yarn;

/** A submission YARN cannot run, or a ResourceManager that cannot be reached; the message says which and why. */
public final class YarnSubmitException extends RuntimeException {
    public YarnSubmitException(String message) {
        super(message);
    }

    public YarnSubmitException(String message, Throwable cause) {
        super(message, cause);
    }
}
