package io.sluice.control;

import java.time.Duration;

/**
 * Capped exponential backoff: the n-th consecutive failure (n ≥ 1) waits {@code min(max, initial × multiplier^(n-1))}.
 * Shared by the executor allocator and, later, the driver restart policy of every backend. Immutable.
 */
public record RestartBackoff(Duration initial, Duration max, double multiplier) {

    public RestartBackoff {
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below the initial backoff " + initial);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("backoff multiplier must be >= 1, got " + multiplier);
        }
    }

    /** The delay after {@code consecutiveFailures} failures in a row; zero for none. */
    public Duration delayAfter(int consecutiveFailures) {
        if (consecutiveFailures <= 0) {
            return Duration.ZERO;
        }
        double ms = initial.toMillis() * Math.pow(multiplier, consecutiveFailures - 1);
        return ms >= max.toMillis() ? max : Duration.ofMillis((long) ms);
    }

    @Override
    public String toString() {
        return "RestartBackoff(initial=" + initial.toMillis() + " ms, max=" + max.toMillis() + " ms, x" + multiplier + ")";
    }
}
