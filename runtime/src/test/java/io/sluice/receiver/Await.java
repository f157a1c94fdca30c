package io.sluice.receiver;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a timeout, for tests of components that work on their own threads. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails the test if it does not hold within {@code timeout}. */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted waiting until " + what, e);
            }
        }
    }

    /** The names of live threads whose name starts with {@code prefix}. */
    public static java.util.List<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .map(Thread::getName)
                .toList();
    }

    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, Duration.ofSeconds(30));
    }
}
