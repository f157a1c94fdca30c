package io.sluice.supervision;

import java.time.Duration;

/** What the restart policy decided once a driver attempt ended. */
public sealed interface RestartDecision {

    /** Start the driver again after {@code delay}. */
    record Restart(Duration delay, String reason) implements RestartDecision {
    }

    /** The application ends in {@code finalState} ({@link DriverState#isFinal()}), for {@code reason}. */
    record Stop(DriverState finalState, String reason) implements RestartDecision {
        public Stop {
            if (!finalState.isFinal()) {
                throw new IllegalArgumentException(finalState + " is not a final state");
            }
        }
    }
}
