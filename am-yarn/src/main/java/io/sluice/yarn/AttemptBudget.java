package io.sluice.yarn;

import java.util.Collection;

/**
 * Whether YARN will start another ApplicationMaster attempt when this one fails: it will unless this was the last of
 * {@code maxAttempts}, counting, when a validity interval is set, only the failures within that interval before
 * now (as the ResourceManager does with {@code attemptFailuresValidityInterval}). The last attempt must unregister
 * as FAILED itself, with the driver's error as diagnostics; any other exits without unregistering.
 *
 * @param maxAttempts    the attempts YARN makes for the application
 * @param validityMillis failures older than this do not count; 0: every failure counts
 */
record AttemptBudget(int maxAttempts, long validityMillis) {

    AttemptBudget {
        if (maxAttempts < 1 || validityMillis < 0) {
            throw new IllegalArgumentException("maxAttempts must be at least 1 and validityMillis not negative: "
                    + maxAttempts + ", " + validityMillis);
        }
    }

    /** True if every failure counts, so the attempt number alone decides. */
    boolean countsEveryFailure() {
        return validityMillis == 0;
    }

    /**
     * @param attempt             this attempt's number (1-based)
     * @param earlierFailureTimes when earlier attempts of the application failed (epoch millis); only read with a
     *                            validity interval
     * @param now                 the current time (epoch millis)
     * @return true if YARN makes no further attempt after this one fails
     */
    boolean isLast(int attempt, Collection<Long> earlierFailureTimes, long now) {
        if (countsEveryFailure()) {
            return attempt >= maxAttempts;
        }
        long recent = earlierFailureTimes.stream().filter(t -> t > now - validityMillis).count();
        return recent + 1 >= maxAttempts;
    }
}
