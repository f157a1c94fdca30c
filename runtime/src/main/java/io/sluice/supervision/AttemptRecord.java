package io.sluice.supervision;

import java.util.OptionalLong;

/**
 * What the restart policy needs to know of one driver attempt that ended: when, whether it failed, and when it
 * became healthy (if it did). A backend rebuilds these from what it keeps (the local supervisor in memory, YARN's
 * ApplicationMaster from the ResourceManager's attempt reports and the staging directory).
 *
 * @param endedAtMs   when the attempt ended (epoch millis)
 * @param failed      whether it ended by a failure (one worth retrying: the others end the application)
 * @param healthyAtMs when it became healthy, if it did
 */
public record AttemptRecord(int attempt, long endedAtMs, boolean failed, OptionalLong healthyAtMs) {

    public static AttemptRecord failed(int attempt, long endedAtMs, OptionalLong healthyAtMs) {
        return new AttemptRecord(attempt, endedAtMs, true, healthyAtMs);
    }

    public static AttemptRecord succeeded(int attempt, long endedAtMs, OptionalLong healthyAtMs) {
        return new AttemptRecord(attempt, endedAtMs, false, healthyAtMs);
    }
}
