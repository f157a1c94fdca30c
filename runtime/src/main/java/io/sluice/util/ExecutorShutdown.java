package io.sluice.util;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stopping a background executor: let what it has queued finish, for a bounded time, then abandon the rest. */
public final class ExecutorShutdown {
    private ExecutorShutdown() {
    }

    /**
     * Shuts {@code executor} down and waits at most {@code timeout} for its queued work; then interrupts what is
     * left. Returns false if it had to (or the wait was interrupted).
     */
    public static boolean drain(ExecutorService executor, Duration timeout) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        return false;
    }
}
