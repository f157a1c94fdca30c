package io.sluice.supervision;

import io.sluice.util.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The lifecycle of one supervised driver as its supervisor reports it: checks every move against
 * {@link DriverState#canMoveTo}, logs it, keeps the events, and tells the listeners. Thread-safe.
 */
public final class DriverLifecycle {
    private static final Logger LOG = LogManager.getLogger(DriverLifecycle.class);

    private final String appId;
    private final Clock clock;
    private final List<DriverLifecycleListener> listeners = new CopyOnWriteArrayList<>();
    private final List<DriverEvent> events = new ArrayList<>(); // guarded by this
    private DriverState state; // guarded by this
    private int attempt; // guarded by this

    /**
     * A lifecycle in {@code initial} at {@code attempt}, reported as its first event unless {@code silent} (a new
     * ApplicationMaster attempt continues a lifecycle whose earlier events its predecessors reported).
     */
    public DriverLifecycle(String appId, Clock clock, DriverState initial, int attempt, boolean silent,
                           List<DriverLifecycleListener> listeners) {
        this.appId = appId;
        this.clock = clock;
        this.state = initial;
        this.attempt = attempt;
        this.listeners.addAll(listeners);
        if (!silent) {
            publish(new DriverEvent.StateChanged(clock.currentTimeMillis(), attempt, initial, "", Duration.ZERO));
        }
    }

    /** Moves to {@code next} at {@code attempt}; throws if the lifecycle does not allow it. */
    public void moveTo(DriverState next, int attempt, String reason) {
        moveTo(next, attempt, reason, Duration.ZERO);
    }

    /**
     * Moves to {@link DriverState#BACKING_OFF} before {@code nextAttempt}, which starts {@code delay} after the
     * returned event's time.
     */
    public DriverEvent.StateChanged backOff(int nextAttempt, Duration delay, String reason) {
        return moveTo(DriverState.BACKING_OFF, nextAttempt, reason, delay);
    }

    private DriverEvent.StateChanged moveTo(DriverState next, int attempt, String reason, Duration backoff) {
        DriverEvent.StateChanged event;
        synchronized (this) {
            if (!state.canMoveTo(next)) {
                throw new IllegalStateException("driver of " + appId + ": cannot move from " + state + " to " + next);
            }
            state = next;
            this.attempt = attempt;
            event = new DriverEvent.StateChanged(clock.currentTimeMillis(), attempt, next, reason, backoff);
        }
        publish(event);
        return event;
    }

    /** Reports that the driver of {@code attempt} became healthy. */
    public void healthy(int attempt, String reason) {
        publish(new DriverEvent.BecameHealthy(clock.currentTimeMillis(), attempt, reason));
    }

    public synchronized DriverState state() {
        return state;
    }

    public synchronized int attempt() {
        return attempt;
    }

    /** Every event reported so far, oldest first. */
    public synchronized List<DriverEvent> events() {
        return List.copyOf(events);
    }

    public void addListener(DriverLifecycleListener listener) {
        listeners.add(listener);
    }

    private void publish(DriverEvent event) {
        synchronized (this) {
            events.add(event);
        }
        if (event instanceof DriverEvent.StateChanged s) {
            if (s.state() == DriverState.FAILED) {
                LOG.error("Application {}: driver attempt {} {}{}", appId, s.attempt(), s.state(), suffix(s.reason()));
            } else if (s.state() == DriverState.BACKING_OFF) {
                LOG.warn("Application {}: driver {} for {} ms before attempt {}{}", appId, s.state(),
                        s.backoff().toMillis(), s.attempt(), suffix(s.reason()));
            } else {
                LOG.info("Application {}: driver attempt {} {}{}", appId, s.attempt(), s.state(), suffix(s.reason()));
            }
        } else if (event instanceof DriverEvent.BecameHealthy h) {
            LOG.info("Application {}: driver attempt {} is healthy{}", appId, h.attempt(), suffix(h.reason()));
        }
        for (DriverLifecycleListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.warn("Application {}: a driver lifecycle listener failed on {}: {}", appId, event, e.toString());
            }
        }
    }

    private static String suffix(String reason) {
        return reason.isEmpty() ? "" : ": " + reason;
    }
}
