package io.sluice.supervision;

/** How one run of a driver ended. */
public sealed interface DriverOutcome {

    /** The exit code a driver process ends with for this outcome ({@link DriverExitCode}). */
    int exitCode();

    /** One line for logs and diagnostics. */
    String describe();

    /** The main method returned. */
    record Succeeded() implements DriverOutcome {
        @Override
        public int exitCode() {
            return DriverExitCode.SUCCEEDED.code();
        }

        @Override
        public String describe() {
            return "the driver succeeded";
        }
    }

    /**
     * The driver failed, and running it again may help (it threw, a batch failed, its process crashed).
     *
     * @param error the driver's exception when it is known in this JVM, or null
     */
    record Failed(String reason, Throwable error) implements DriverOutcome {
        /** A failure from {@code error}, its reason the error's own text. */
        public static Failed of(Throwable error) {
            return new Failed(String.valueOf(error), error);
        }

        @Override
        public int exitCode() {
            return DriverExitCode.FAILED.code();
        }

        @Override
        public String describe() {
            return reason;
        }
    }

    /** The driver cannot run as submitted (its main class does not exist, ...): running it again cannot help. */
    record FailedPermanently(String reason) implements DriverOutcome {
        @Override
        public int exitCode() {
            return DriverExitCode.FAILED_PERMANENTLY.code();
        }

        @Override
        public String describe() {
            return reason;
        }
    }

    /** The driver was stopped on request (the user killed the application). */
    record Killed(String reason) implements DriverOutcome {
        @Override
        public int exitCode() {
            return DriverExitCode.TERMINATED.code();
        }

        @Override
        public String describe() {
            return reason;
        }
    }
}
