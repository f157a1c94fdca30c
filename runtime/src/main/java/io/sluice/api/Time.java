package io.sluice.api;

import java.io.Serializable;
import java.time.Duration;

/** A batch time in milliseconds. Prints as {@code <ms> ms}, the form used by {@code print()}. */
public record Time(long milliseconds) implements Comparable<Time>, Serializable {

    public static Time ofMillis(long ms) {
        return new Time(ms);
    }

    public Time plus(Duration d) {
        return new Time(milliseconds + d.toMillis());
    }

    public Time minus(Duration d) {
        return new Time(milliseconds - d.toMillis());
    }

    public Duration minus(Time other) {
        return Duration.ofMillis(milliseconds - other.milliseconds);
    }

    public boolean isAfter(Time other) {
        return milliseconds > other.milliseconds;
    }

    public boolean isBefore(Time other) {
        return milliseconds < other.milliseconds;
    }

    /** True if this time lies a whole number of {@code d} after {@code zero}. */
    public boolean isMultipleOf(Duration d) {
        return milliseconds % d.toMillis() == 0;
    }

    /** The largest multiple of {@code d} (counted from {@code zero}) not after this time. */
    public Time floor(Duration d, Time zero) {
        long step = d.toMillis();
        return new Time(Math.floorDiv(milliseconds - zero.milliseconds, step) * step + zero.milliseconds);
    }

    @Override
    public int compareTo(Time o) {
        return Long.compare(milliseconds, o.milliseconds);
    }

    @Override
    public String toString() {
        return milliseconds + " ms";
    }
}
