package io.sluice.supervision;

import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The main of a supervised driver process: {@code DriverMain <main class> [args...]} runs the application's main
 * class ({@link DriverRunner}) and exits with its {@link DriverExitCode} (0 succeeded, 1 failed, 2 failed
 * permanently), so that a supervisor that only sees the exit code knows the outcome; the outcome's one-line reason
 * is the last line on stderr and, when a supervisor set {@code sluice.driver.progressFile}, the file
 * {@code <progress file>.outcome}. Exiting also ends a driver
 * whose main returned while threads of its own still run.
 */
public final class DriverMain {
    private static final Logger LOG = LogManager.getLogger(DriverMain.class);

    /** Starts the line on stderr that states the outcome. */
    static final String OUTCOME_PREFIX = "sluice driver outcome: ";

    private DriverMain() {
    }

    /** Where the driver whose progress file is {@code progressFile} states its outcome. */
    static Path outcomeFile(Path progressFile) {
        return progressFile.resolveSibling(progressFile.getFileName() + ".outcome");
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
        // one line, last on stderr, and next to the progress file: what a supervisor shows as the reason
        String line = outcome.describe().replace('\n', ' ');
        System.err.println(OUTCOME_PREFIX + line);
        System.err.flush();
        String progress = System.getProperty(SluiceConf.DRIVER_PROGRESS_FILE.name(), "");
        if (!progress.isBlank()) {
            try {
                Files.writeString(outcomeFile(Path.of(progress)), line, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot write the driver's outcome next to " + progress + ": " + e);
            }
        }
        System.exit(outcome.exitCode());
    }
}
