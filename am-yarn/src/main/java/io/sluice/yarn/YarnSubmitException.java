package io.sluice.yarn;

import io.sluice.deploy.SubmitException;

/** A submission YARN refuses (an unknown queue, containers too large), or a ResourceManager that cannot be reached. */
public final class YarnSubmitException extends SubmitException {
    public YarnSubmitException(String message) {
        super(message);
    }

    public YarnSubmitException(String message, Throwable cause) {
        super(message, cause);
    }
}
