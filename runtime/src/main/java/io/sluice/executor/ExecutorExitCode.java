package io.sluice.executor;

import java.util.Arrays;
import java.util.Optional;

/**
 * The exit codes of {@link ExecutorMain}, so a backend can turn an exit code into a diagnosis. Codes are stable;
 * never reuse one.
 */
public enum ExecutorExitCode {
    /** The driver told the executor to stop, or it was terminated (SIGTERM) and shut down cleanly. */
    STOPPED(0, "stopped by the driver or terminated (SIGTERM)"),
    /** Something unexpected failed in the executor (see its stderr). */
    FAILED(1, "failed with an unexpected error"),
    /** A required environment variable was missing or invalid. */
    BAD_ENVIRONMENT(2, "its environment was missing or invalid"),
    /** The JVM ran out of heap ({@code -XX:+ExitOnOutOfMemoryError} exits with 3). */
    OUT_OF_MEMORY(3, "ran out of heap memory"),
    /** The driver refused the registration. */
    REGISTRATION_REJECTED(10, "the driver rejected its registration"),
    /** The driver could not be reached for longer than {@code sluice.network.timeout}. */
    DRIVER_UNREACHABLE(11, "the driver was unreachable for longer than sluice.network.timeout"),
    /** The driver no longer knows this executor (it was declared lost). */
    FORGOTTEN_BY_DRIVER(12, "the driver had declared it lost");

    private final int code;
    private final String description;

    ExecutorExitCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<ExecutorExitCode> of(int code) {
        return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }

    /** "exit code 11: the driver was unreachable ...", or the signal for codes above 128. */
    public static String describe(int code) {
        Optional<ExecutorExitCode> known = of(code);
        if (known.isPresent()) {
            return "exit code " + code + ": " + known.get().description;
        }
        if (code > 128 && code < 160) {
            return "exit code " + code + ": killed by signal " + (code - 128)
                    + (code == 137 ? " (SIGKILL)" : code == 143 ? " (SIGTERM)" : "");
        }
        return "exit code " + code;
    }
}
