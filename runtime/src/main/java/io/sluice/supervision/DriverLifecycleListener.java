package io.sluice.supervision;

/** Told of every {@link DriverEvent} of a supervised driver, in order, on the supervisor's thread; must not block long. */
@FunctionalInterface
public interface DriverLifecycleListener {
    void onEvent(DriverEvent event);
}
