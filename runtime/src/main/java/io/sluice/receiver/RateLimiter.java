package io.sluice.receiver;

import io.sluice.util.Clock;

/**
 * Limits how many records per second a receiver stores ({@code sluice.streaming.receiver.maxRate}; 0 = no limit).
 *
 * <p>A token bucket on the injected {@link Clock}: it starts with one permit, so the first record never waits,
 * refills at {@code rate} permits per second, and holds at most one second's worth ({@code max(1, rate)}
 * permits). Over any period of {@code w} seconds at most {@code rate × w + rate} records pass; after an idle
 * second a burst of up to {@code rate} records passes at once. Thread-safe; the rate may change while running
 * (backpressure sets it from the last batches).
 */
public final class RateLimiter {
    private static final long MAX_WAIT_SLICE_MS = 100;

    private final Clock clock;
    private long rate;
    private double permits = 1;
    private long lastRefillMs;

    /** A limiter allowing {@code maxRatePerSecond} records per second; 0 or less means unlimited. */
    public RateLimiter(Clock clock, long maxRatePerSecond) {
        this.clock = clock;
        this.rate = Math.max(0, maxRatePerSecond);
        this.lastRefillMs = clock.currentTimeMillis();
    }

    /** The current limit in records per second; 0 means unlimited. */
    public synchronized long rate() {
        return rate;
    }

    /** Changes the limit; 0 or less removes it. Permits already accumulated are capped to the new size. */
    public synchronized void setRate(long maxRatePerSecond) {
        refill(clock.currentTimeMillis());
        this.rate = Math.max(0, maxRatePerSecond);
        permits = Math.min(permits, capacity());
    }

    /** Takes one permit if one is available now; never blocks. */
    public synchronized boolean tryAcquire() {
        return rate == 0 || takeOrWaitMillis(clock.currentTimeMillis()) == 0;
    }

    /**
     * Takes one permit, blocking (on the clock) until one is available.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public void acquire() throws InterruptedException {
        acquire(() -> true);
    }

    /**
     * Takes one permit, blocking (on the clock) until one is available or {@code stillWanted} turns false (checked
     * at least every 100 ms of waiting), for callers that must give up when their component stops.
     *
     * @return true once a permit was taken; false, without a permit, if {@code stillWanted} turned false
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public boolean acquire(java.util.function.BooleanSupplier stillWanted) throws InterruptedException {
        while (true) {
            long now;
            long waitMs;
            synchronized (this) {
                if (rate == 0) {
                    return true;
                }
                now = clock.currentTimeMillis();
                waitMs = takeOrWaitMillis(now);
                if (waitMs == 0) {
                    return true;
                }
            }
            if (!stillWanted.getAsBoolean()) {
                return false;
            }
            // Wait in slices so that a rate change or an interrupt is noticed promptly.
            clock.waitTillTime(now + waitMs, Math.min(waitMs, MAX_WAIT_SLICE_MS));
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while waiting for the rate limit (" + rate() + " records/s)");
            }
        }
    }

    /** Takes a permit and returns 0, or returns how long until the next permit is available. Caller holds the lock. */
    private long takeOrWaitMillis(long now) {
        refill(now);
        if (permits >= 1) {
            permits -= 1;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - permits) * 1000.0 / rate));
    }

    private void refill(long now) {
        if (now > lastRefillMs) {
            if (rate > 0) {
                permits = Math.min(capacity(), permits + (now - lastRefillMs) * rate / 1000.0);
            }
            lastRefillMs = now;
        }
    }

    private double capacity() {
        return Math.max(1, rate);
    }

    @Override
    public synchronized String toString() {
        return "RateLimiter[" + (rate == 0 ? "unlimited" : rate + " records/s") + "]";
    }
}
