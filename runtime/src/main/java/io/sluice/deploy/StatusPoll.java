package io.sluice.deploy;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The loop that follows a submitted application until it ends, written once for every cluster manager: asks
 * {@link Submitter#status} every interval, reports the first status and every change of state, and once the
 * application ended cleans up after it ({@link Submitter#cleanUp}) and returns.
 */
public final class StatusPoll {
    /** Waits between two polls; {@link Thread#sleep} in production. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Submitter submitter;
    private final Duration interval;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;

    public StatusPoll(Submitter submitter, Duration interval) {
        this(submitter, interval, System::nanoTime, d -> Thread.sleep(d.toMillis()));
    }

    public StatusPoll(Submitter submitter, Duration interval, LongSupplier nanoTime, Sleeper sleeper) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the status interval must be > 0, got " + interval);
        }
        this.submitter = Objects.requireNonNull(submitter);
        this.interval = interval;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /**
     * Polls {@code appId} until it ended (then cleans up) or {@code timeout} passed; returns the last status. A status
     * call that fails ends the loop with its exception.
     */
    public ApplicationStatus awaitEnd(String appId, Duration timeout, Consumer<ApplicationStatus> changes)
            throws InterruptedException {
        long deadline = nanoTime.getAsLong() + timeout.toNanos();
        ApplicationStatus last = null;
        while (true) {
            ApplicationStatus now = submitter.status(appId);
            if (last == null || now.state() != last.state() || !now.nativeState().equals(last.nativeState())) {
                changes.accept(now);
            }
            last = now;
            if (now.ended()) {
                submitter.cleanUp(appId);
                return now;
            }
            if (nanoTime.getAsLong() - deadline >= 0) {
                return now;
            }
            sleeper.sleep(interval);
        }
    }
}
