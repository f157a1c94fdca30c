package io.sluice.control;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A failure budget over a sliding window: at most {@code maxFailures} failures within {@code window}. Callers pass
 * the time, so tests step it. Not thread-safe: owned by one thread.
 */
public final class FailureWindow {
    private final int maxFailures;
    private final long windowMs;
    private final ArrayDeque<Long> failures = new ArrayDeque<>();

    public FailureWindow(int maxFailures, Duration window) {
        if (maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures must be >= 0, got " + maxFailures);
        }
        this.maxFailures = maxFailures;
        this.windowMs = window.toMillis();
    }

    /** Records a failure at {@code nowMs}; true while the budget still holds (failures in window ≤ max). */
    public boolean recordFailure(long nowMs) {
        failures.addLast(nowMs);
        return withinBudget(nowMs);
    }

    public boolean withinBudget(long nowMs) {
        while (!failures.isEmpty() && failures.peekFirst() <= nowMs - windowMs) {
            failures.removeFirst();
        }
        return failures.size() <= maxFailures;
    }

    public int failuresInWindow(long nowMs) {
        withinBudget(nowMs);
        return failures.size();
    }

    @Override
    public String toString() {
        return "FailureWindow(max=" + maxFailures + " in " + windowMs + " ms)";
    }
}
