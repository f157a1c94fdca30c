package io.sluice.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Delivers streaming events to listeners asynchronously, in posting order, on one named daemon thread
 * ({@code sluice-listener-bus}), so that a slow listener never delays batch processing.
 *
 * <p>The queue is bounded ({@code sluice.streaming.listenerBus.capacity}): {@link #post} never blocks; an event that
 * finds the queue full is dropped and counted ({@link #droppedEvents()}), and a WARN with the count of drops since the
 * last one is logged at most once per {@link #DROP_LOG_INTERVAL}. Events posted before {@link #start()} wait in the
 * queue; events posted after {@link #stop} are ignored.
 *
 * <p>Listeners are called one event at a time on the bus thread, every listener in registration order; a listener
 * that throws is logged and keeps receiving events. Thread-safe.
 */
public final class ListenerBus {
    private static final Logger LOG = LogManager.getLogger(ListenerBus.class);
    /** The least time between two WARNs about dropped events. */
    static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(60);
    private static final long POLL_SLICE_MS = 100;

    private final String appId;
    private final int capacity;
    private final List<StreamingListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayBlockingQueue<StreamingListenerEvent> queue;
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Object progress = new Object();
    private long processed; // guarded by progress
    private long droppedAtLastWarn; // guarded by progress
    private long lastDropWarnNanos; // guarded by progress
    private boolean warnedOnce; // guarded by progress
    private final Thread thread;
    private volatile boolean started;
    private volatile boolean stopping;
    private volatile boolean stopped;

    /** A bus with the default capacity, for tests and tools; a context sizes its bus from its configuration. */
    public ListenerBus() {
        this("sluice", 10_000);
    }

    /**
     * @param appId    the application, named in log lines
     * @param capacity the most events waiting for delivery; further events are dropped
     */
    public ListenerBus(String appId, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sluice.streaming.listenerBus.capacity: expected >= 1, got " + capacity);
        }
        this.appId = appId;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, "sluice-listener-bus");
        thread.setDaemon(true);
    }

    public void addListener(StreamingListener listener) {
        listeners.add(listener);
    }

    public void removeListener(StreamingListener listener) {
        listeners.remove(listener);
    }

    /** Starts the delivery thread (once; later calls do nothing). */
    public synchronized void start() {
        if (!started && !stopped) {
            started = true;
            thread.start();
        }
    }

    /** Queues an event for delivery; never blocks. Dropped (and counted) when the queue is full. */
    public void post(StreamingListenerEvent event) {
        if (stopping) {
            return;
        }
        if (queue.offer(event)) {
            posted.incrementAndGet();
            return;
        }
        long n = dropped.incrementAndGet();
        warnAboutDrops(n, event);
    }

    private void warnAboutDrops(long totalDropped, StreamingListenerEvent event) {
        long now = System.nanoTime();
        long since;
        synchronized (progress) {
            if (warnedOnce && now - lastDropWarnNanos < DROP_LOG_INTERVAL.toNanos()) {
                return;
            }
            since = totalDropped - droppedAtLastWarn;
            droppedAtLastWarn = totalDropped;
            lastDropWarnNanos = now;
            warnedOnce = true;
        }
        LOG.warn("[{}] Listener bus full ({} events queued): dropped {} event(s) since the last warning, {} in all "
                        + "(latest {}); a listener is too slow. Said at most every {} s", appId, capacity, since,
                totalDropped, event.getClass().getSimpleName(), DROP_LOG_INTERVAL.toSeconds());
    }

    /** Events dropped because the queue was full, since the bus was created. */
    public long droppedEvents() {
        return dropped.get();
    }

    /** Events waiting for delivery. */
    public int queuedEvents() {
        return queue.size();
    }

    /** True while the delivery thread runs (from {@link #start} until {@link #stop} ends it). */
    public boolean isRunning() {
        return thread.isAlive();
    }

    public int capacity() {
        return capacity;
    }

    /**
     * Waits until every event accepted so far has been delivered to every listener; false on timeout, or if the bus
     * is not running (so nothing would deliver them).
     */
    public boolean waitUntilEmpty(Duration timeout) {
        long target = posted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (processed < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !started || !thread.isAlive()) {
                    return processed >= target;
                }
                try {
                    progress.wait(Math.min(left, POLL_SLICE_MS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Stops accepting events, delivers those already queued (up to {@code timeout}), then ends the bus thread.
     * Events still queued after the timeout are dropped and logged. Idempotent.
     */
    public void stop(Duration timeout) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            stopping = true;
        }
        if (started) {
            if (!waitUntilEmpty(timeout)) {
                LOG.warn("[{}] Listener bus stopped with {} event(s) undelivered after {} ms", appId, queue.size(),
                        timeout.toMillis());
            }
            thread.interrupt();
            try {
                thread.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.clear();
        if (dropped.get() > 0) {
            LOG.info("[{}] Listener bus stopped; {} event(s) were dropped in all because it was full", appId, dropped.get());
        }
    }

    private void run() {
        while (true) {
            StreamingListenerEvent event;
            try {
                event = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            for (StreamingListener l : listeners) {
                try {
                    dispatch(l, event);
                } catch (Throwable t) {
                    LOG.error("[{}] Listener {} threw on {}", appId, l.getClass().getName(),
                            event.getClass().getSimpleName(), t);
                }
            }
            synchronized (progress) {
                processed++;
                progress.notifyAll();
            }
        }
    }

    private static void dispatch(StreamingListener l, StreamingListenerEvent e) {
        if (e instanceof StreamingListenerEvent.BatchCompleted c) {
            l.onBatchCompleted(c);
        } else if (e instanceof StreamingListenerEvent.BatchStarted s) {
            l.onBatchStarted(s);
        } else if (e instanceof StreamingListenerEvent.BatchSubmitted s) {
            l.onBatchSubmitted(s);
        } else if (e instanceof StreamingListenerEvent.OutputOperationStarted s) {
            l.onOutputOperationStarted(s);
        } else if (e instanceof StreamingListenerEvent.OutputOperationCompleted c) {
            l.onOutputOperationCompleted(c);
        } else if (e instanceof StreamingListenerEvent.StreamingStarted s) {
            l.onStreamingStarted(s);
        } else if (e instanceof StreamingListenerEvent.ReceiverStarted s) {
            l.onReceiverStarted(s);
        } else if (e instanceof StreamingListenerEvent.ReceiverError r) {
            l.onReceiverError(r);
        } else if (e instanceof StreamingListenerEvent.ReceiverStopped s) {
            l.onReceiverStopped(s);
        }
    }
}
