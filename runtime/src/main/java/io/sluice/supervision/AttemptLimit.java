package io.sluice.supervision;

import io.sluice.control.FailureWindow;
import java.time.Duration;
import java.util.List;

/**
 * A cluster manager's own cap on driver attempts, which the restart policy cannot lift: YARN starts at most
 * {@code maxAttempts} ApplicationMaster attempts, counting, when a validity interval is set, only the failures
 * within it ({@code yarn.resourcemanager.am.max-attempts}, {@code attemptFailuresValidityInterval}). A backend
 * without one uses {@link #NONE}. The policy stops a driver that the cap would not restart, with the reason.
 *
 * @param maxAttempts the attempts the cluster manager makes; {@link Integer#MAX_VALUE}: no cap
 * @param validity    failures older than this do not count; zero: every failure counts
 */
public record AttemptLimit(int maxAttempts, Duration validity, String describedAs) {
    public static final AttemptLimit NONE = new AttemptLimit(Integer.MAX_VALUE, Duration.ZERO, "no limit");

    public AttemptLimit {
        if (maxAttempts < 1 || validity.isNegative()) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 and the validity not negative: "
                    + maxAttempts + ", " + validity);
        }
    }

    /**
     * Whether the cluster manager starts another attempt after {@code attempt} failed at {@code nowMs}.
     *
     * @param earlierFailureTimes when the earlier attempts failed (epoch millis); read only with a validity interval
     */
    public boolean allowsAnotherAfter(int attempt, List<Long> earlierFailureTimes, long nowMs) {
        if (maxAttempts == Integer.MAX_VALUE) {
            return true;
        }
        if (validity.isZero()) {
            return attempt < maxAttempts;
        }
        // the failure that makes maxAttempts failures within the interval is the last one the cluster accepts
        var window = new FailureWindow(maxAttempts - 1, validity);
        earlierFailureTimes.stream().sorted().forEach(window::recordFailure);
        return window.recordFailure(nowMs);
    }
}
