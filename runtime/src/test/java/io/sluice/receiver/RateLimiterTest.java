package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void permitsRefillAtTheConfiguredRate() {
        var clock = new ManualClock(0);
        var limiter = new RateLimiter(clock, 10);

        assertThat(limiter.tryAcquire()).as("the first record never waits").isTrue();
        assertThat(limiter.tryAcquire()).isFalse();

        clock.advance(50);
        assertThat(limiter.tryAcquire()).as("half a permit after 50 ms at 10/s").isFalse();
        clock.advance(50);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }

    @Test
    void idleTimeAccumulatesAtMostOneSecondOfPermits() {
        var clock = new ManualClock(0);
        var limiter = new RateLimiter(clock, 10);
        limiter.tryAcquire();

        clock.advance(60_000);
        int granted = 0;
        while (limiter.tryAcquire()) {
            granted++;
        }
        assertThat(granted).isEqualTo(10);
    }

    @Test
    void zeroRateMeansUnlimited() throws InterruptedException {
        var limiter = new RateLimiter(new ManualClock(0), 0);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.tryAcquire()).isTrue();
            limiter.acquire();
        }
        assertThat(limiter.toString()).contains("unlimited");
    }

    @Test
    void acquireBlocksUntilTheClockAllowsTheNextPermit() throws InterruptedException {
        var clock = new ManualClock(0);
        var limiter = new RateLimiter(clock, 5);
        limiter.acquire();
        var acquired = new AtomicBoolean();
        var waiter = new Thread(() -> {
            try {
                limiter.acquire();
                acquired.set(true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rate-limiter-test-waiter");
        waiter.start();

        Await.until("the waiter blocks on the clock", () -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(acquired).as("no permit before the clock moves").isFalse();
        clock.advance(199);
        Await.until("the waiter blocks again", () -> waiter.getState() == Thread.State.TIMED_WAITING);
        assertThat(acquired).as("no permit before 200 ms at 5/s").isFalse();

        clock.advance(1);
        waiter.join(Duration.ofSeconds(10).toMillis());
        assertThat(acquired).isTrue();
    }

    @Test
    void acquireIsInterruptible() throws InterruptedException {
        var clock = new ManualClock(0);
        var limiter = new RateLimiter(clock, 1);
        limiter.acquire();
        var interrupted = new AtomicBoolean();
        var waiter = new Thread(() -> {
            try {
                limiter.acquire();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }, "rate-limiter-test-interrupted");
        waiter.start();
        Await.until("the waiter blocks on the clock", () -> waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(10_000);
        assertThat(interrupted).isTrue();
    }

    @Test
    void rateCanChangeWhileRunning() {
        var clock = new ManualClock(0);
        var limiter = new RateLimiter(clock, 1);
        limiter.tryAcquire();
        limiter.setRate(100);
        clock.advance(10);
        assertThat(limiter.tryAcquire()).as("10 ms at 100/s is one permit").isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
        assertThat(limiter.rate()).isEqualTo(100);

        limiter.setRate(0);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.tryAcquire()).isTrue();
    }
}
