package io.sluice.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ListenerBusTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Records the times of the StreamingStarted events it gets; blocks on the first until released. */
    private static final class GatedListener implements StreamingListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Long> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onStreamingStarted(StreamingListenerEvent.StreamingStarted event) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.add(event.time());
        }
    }

    private static StreamingListenerEvent started(long time) {
        return new StreamingListenerEvent.StreamingStarted(time);
    }

    @Test
    void aStuckListenerNeverBlocksPostingAndEventsBeyondTheCapacityAreDroppedAndCounted() throws Exception {
        var bus = new ListenerBus("test-app", 3);
        var listener = new GatedListener();
        bus.addListener(listener);
        bus.start();
        try {
            bus.post(started(0));
            assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 1; i <= 10; i++) {
                bus.post(started(i)); // returns at once although the listener is stuck
            }
            assertThat(bus.queuedEvents()).isEqualTo(3);
            assertThat(bus.droppedEvents()).isEqualTo(7);

            listener.release.countDown();
            assertThat(bus.waitUntilEmpty(TIMEOUT)).isTrue();
            assertThat(listener.seen).containsExactly(0L, 1L, 2L, 3L);
        } finally {
            bus.stop(TIMEOUT);
        }
    }

    @Test
    void waitUntilEmptyTimesOutWhileAListenerIsBusy() throws Exception {
        var bus = new ListenerBus("test-app", 10);
        var listener = new GatedListener();
        bus.addListener(listener);
        bus.start();
        try {
            bus.post(started(1));
            assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(bus.waitUntilEmpty(Duration.ofMillis(50))).isFalse();
            listener.release.countDown();
            assertThat(bus.waitUntilEmpty(TIMEOUT)).isTrue();
        } finally {
            bus.stop(TIMEOUT);
        }
    }

    @Test
    void stopDeliversWhatIsQueuedThenIgnoresLaterEventsAndEndsTheThread() throws Exception {
        var bus = new ListenerBus("test-app", 100);
        var listener = new GatedListener();
        listener.release.countDown();
        bus.addListener(listener);
        for (int i = 0; i < 5; i++) {
            bus.post(started(i)); // queued before start
        }
        bus.start();
        bus.stop(TIMEOUT);
        assertThat(listener.seen).containsExactly(0L, 1L, 2L, 3L, 4L);

        bus.post(started(99));
        assertThat(bus.queuedEvents()).isZero();
        assertThat(bus.isRunning()).isFalse();
        assertThat(listener.seen).hasSize(5);
    }

    @Test
    void aThrowingListenerIsLoggedAndOthersAndLaterEventsStillArrive() {
        var bus = new ListenerBus("test-app", 10);
        var good = new CopyOnWriteArrayList<Long>();
        bus.addListener(new StreamingListener() {
            @Override
            public void onStreamingStarted(StreamingListenerEvent.StreamingStarted event) {
                throw new IllegalStateException("listener bug");
            }
        });
        bus.addListener(new StreamingListener() {
            @Override
            public void onStreamingStarted(StreamingListenerEvent.StreamingStarted event) {
                good.add(event.time());
            }
        });
        bus.start();
        try {
            bus.post(started(1));
            bus.post(started(2));
            assertThat(bus.waitUntilEmpty(TIMEOUT)).isTrue();
            assertThat(good).containsExactly(1L, 2L);
        } finally {
            bus.stop(TIMEOUT);
        }
    }

    @Test
    void aCapacityBelowOneIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new ListenerBus("test-app", 0))
                .hasMessageContaining("sluice.streaming.listenerBus.capacity");
    }
}
