package io.sluice.util;

/** Wall-clock time. */
public final class SystemClock implements Clock {
    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public long waitTillTime(long targetMillis, long maxWaitMillis) {
        long now = System.currentTimeMillis();
        long deadline = now + maxWaitMillis;
        while (now < targetMillis && now < deadline) {
            long sleep = Math.min(Math.min(targetMillis, deadline) - now, 100);
            try {
                Thread.sleep(Math.max(1, sleep));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return System.currentTimeMillis();
            }
            now = System.currentTimeMillis();
        }
        return now;
    }
}
