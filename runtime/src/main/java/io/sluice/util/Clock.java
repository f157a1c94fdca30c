package io.sluice.util;

/** The source of time for batch generation, so that tests can drive batches with a {@link ManualClock}. */
public interface Clock {
    long currentTimeMillis();

    /**
     * Blocks until the clock reaches {@code targetMillis} or {@code maxWaitMillis} of real time pass, and returns
     * the clock's time then. Returns early if the calling thread is interrupted (with the flag set).
     */
    long waitTillTime(long targetMillis, long maxWaitMillis);
}
