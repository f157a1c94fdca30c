package io.sluice.util;

/** A clock that moves only when told to; batches are generated as tests advance it. Thread-safe. */
public final class ManualClock implements Clock {
    private long time;

    public ManualClock() {
        this(0);
    }

    public ManualClock(long startMillis) {
        this.time = startMillis;
    }

    @Override
    public synchronized long currentTimeMillis() {
        return time;
    }

    public synchronized void setTime(long millis) {
        time = millis;
        notifyAll();
    }

    public synchronized void advance(long millis) {
        time += millis;
        notifyAll();
    }

    @Override
    public synchronized long waitTillTime(long targetMillis, long maxWaitMillis) {
        long deadline = System.nanoTime() + maxWaitMillis * 1_000_000L;
        while (time < targetMillis) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            try {
                wait(Math.min(left, 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return time;
    }
}
