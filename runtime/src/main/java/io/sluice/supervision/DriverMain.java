package io.sluice.supervision;

import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The main of a supervised driver process: {@code DriverMain <main class> [args...]} runs the application's main
 * class ({@link DriverRunner}) and exits with its {@link DriverExitCode} (0 succeeded, 1 failed, 2 failed
 * permanently), so that a supervisor that only sees the exit code knows the outcome. Exiting also ends a driver
 * whose main returned while threads of its own still run.
 */
public final class DriverMain {
    private static final Logger LOG = LogManager.getLogger(DriverMain.class);

    private DriverMain() {
    }

    public static void main(String[] args) {
        if (args.length < 1 || args[0].isBlank()) {
            System.err.println("Usage: DriverMain <main class> [args...]");
            System.exit(DriverExitCode.FAILED_PERMANENTLY.code());
        }
        String mainClass = args[0];
        DriverOutcome outcome = DriverRunner.run(mainClass, Arrays.copyOfRange(args, 1, args.length),
                Thread.currentThread().getContextClassLoader());
        if (outcome instanceof DriverOutcome.Failed f && f.error() != null) {
            LOG.error("The driver {} failed", mainClass, f.error());
        } else if (!(outcome instanceof DriverOutcome.Succeeded)) {
            LOG.error("The driver {}: {}", mainClass, outcome.describe());
        }
        // one line, last on stderr: what a supervisor shows as the reason
        System.err.println("sluice driver outcome: " + outcome.describe().replace('\n', ' '));
        System.err.flush();
        System.exit(outcome.exitCode());
    }
}
