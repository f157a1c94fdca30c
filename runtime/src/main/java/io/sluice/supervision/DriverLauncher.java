package io.sluice.supervision;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The mechanism a {@link DriverSupervisor} starts drivers with: a child JVM ({@link LocalDriverLauncher}), and in
 * later backends a Kubernetes pod or a Mesos task. Mechanism only: the supervisor decides when.
 */
public interface DriverLauncher {

    /** Starts attempt {@code attempt} (1-based) of the driver. */
    LaunchedDriver launch(int attempt) throws IOException;

    /** One started driver. */
    interface LaunchedDriver {
        /** Waits up to {@code timeout} for the driver to end: its outcome, or empty while it runs. */
        Optional<DriverOutcome> awaitEnd(Duration timeout) throws InterruptedException;

        /** What the driver reported of its progress so far, if anything. */
        Optional<DriverProgress> progress();

        /** Asks the driver to stop (SIGTERM), and forces it after {@code grace}; does not wait for its end. */
        void kill(Duration grace);
    }
}
