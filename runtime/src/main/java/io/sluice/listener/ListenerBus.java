package io.sluice.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Delivers streaming events to listeners asynchronously, in posting order, on one named thread, so that a slow
 * listener never delays batch processing.
 */
public final class ListenerBus {
    private static final Logger LOG = LogManager.getLogger(ListenerBus.class);
    private static final Object POISON = new Object();

    private final List<StreamingListener> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicLong posted = new AtomicLong();
    private final AtomicLong processed = new AtomicLong();
    private final Thread thread;
    private volatile boolean started;
    private volatile boolean stopped;

    public ListenerBus() {
        this.thread = new Thread(this::run, "sluice-listener-bus");
        thread.setDaemon(true);
    }

    public void addListener(StreamingListener listener) {
        listeners.add(listener);
    }

    public void removeListener(StreamingListener listener) {
        listeners.remove(listener);
    }

    public synchronized void start() {
        if (!started) {
            started = true;
            thread.start();
        }
    }

    public void post(StreamingListenerEvent event) {
        if (stopped) {
            return;
        }
        posted.incrementAndGet();
        queue.add(event);
    }

    /** Waits until every event posted so far has been delivered; false on timeout. */
    public boolean waitUntilEmpty(Duration timeout) {
        long target = posted.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (processed) {
            while (processed.get() < target) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !started) {
                    return processed.get() >= target;
                }
                try {
                    processed.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }

    /** Delivers the events already posted (up to {@code timeout}), then stops the bus thread. */
    public void stop(Duration timeout) {
        if (stopped) {
            return;
        }
        waitUntilEmpty(timeout);
        stopped = true;
        queue.add(POISON);
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next == POISON) {
                return;
            }
            var event = (StreamingListenerEvent) next;
            for (StreamingListener l : listeners) {
                try {
                    dispatch(l, event);
                } catch (Throwable t) {
                    LOG.error("Listener {} threw on {}", l.getClass().getName(), event.getClass().getSimpleName(), t);
                }
            }
            synchronized (processed) {
                processed.incrementAndGet();
                processed.notifyAll();
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
