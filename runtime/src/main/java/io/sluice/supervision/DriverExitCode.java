package io.sluice.supervision;

import java.util.Arrays;
import java.util.Optional;

/**
 * The exit codes of a driver process ({@link DriverMain}, YARN's ApplicationMaster), so that a supervisor that sees
 * only an exit code knows the {@link DriverOutcome}. Codes are stable; never reuse one.
 *
 * <table>
 *   <caption>Driver exit codes</caption>
 *   <tr><th>code</th><th>outcome</th></tr>
 *   <tr><td>0</td><td>succeeded: the main method returned</td></tr>
 *   <tr><td>1</td><td>failed, worth retrying: the main method threw (for example {@code awaitTermination()} threw
 *       because a batch failed); also the JVM's own code for an uncaught exception</td></tr>
 *   <tr><td>2</td><td>failed permanently: the main class or its {@code main(String[])} does not exist, or the
 *       driver's arguments are wrong; no restart can help</td></tr>
 *   <tr><td>130, 143</td><td>killed: stopped by SIGINT or SIGTERM, that is, asked to stop (the JVM's codes)</td></tr>
 *   <tr><td>any other (137 for SIGKILL, ...)</td><td>failed, worth retrying (a crash, the kernel's OOM killer, a
 *       lost node)</td></tr>
 * </table>
 */
public enum DriverExitCode {
    SUCCEEDED(0, "succeeded"),
    FAILED(1, "failed; a restart may help"),
    FAILED_PERMANENTLY(2, "failed permanently; no restart can help"),
    INTERRUPTED(130, "killed by SIGINT"),
    TERMINATED(143, "killed by SIGTERM");

    private final int code;
    private final String description;

    DriverExitCode(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Optional<DriverExitCode> of(int code) {
        return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }

    /**
     * The outcome a process exit code means.
     *
     * @param diagnostics what else is known (the tail of the driver's stderr), part of a failure's reason; may be empty
     */
    public static DriverOutcome outcomeOf(int code, String diagnostics) {
        String detail = diagnostics == null || diagnostics.isBlank() ? "" : ": " + diagnostics.strip();
        return switch (code) {
            case 0 -> new DriverOutcome.Succeeded();
            case 2 -> new DriverOutcome.FailedPermanently("the driver exited with code 2 (" + FAILED_PERMANENTLY.description
                    + ")" + detail);
            case 130, 143 -> new DriverOutcome.Killed("the driver was stopped by " + (code == 130 ? "SIGINT" : "SIGTERM")
                    + " (exit code " + code + ")");
            default -> new DriverOutcome.Failed("the driver exited with code " + code + describeSignal(code) + detail, null);
        };
    }

    private static String describeSignal(int code) {
        if (code > 128 && code < 160) {
            return " (killed by signal " + (code - 128) + (code == 137 ? ", SIGKILL" : "") + ")";
        }
        return "";
    }
}
