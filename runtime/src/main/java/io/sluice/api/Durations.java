package io.sluice.api;

import java.time.Duration;

/** Short names for the batch, window and slide durations that streaming code is full of. */
public final class Durations {
    private Durations() {
    }

    public static Duration milliseconds(long ms) {
        return Duration.ofMillis(ms);
    }

    public static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }

    public static Duration minutes(long m) {
        return Duration.ofMinutes(m);
    }

    /** Formats a duration the way validation messages do: {@code 5000 ms}. */
    public static String format(Duration d) {
        return d.toMillis() + " ms";
    }
}
