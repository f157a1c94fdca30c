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

    /**
     * Parses a duration written as {@code 200ms}, {@code 10s}, {@code 2min} (or {@code 2m}), {@code 1h}, or a bare
     * number of milliseconds; the form configuration files and command lines use.
     */
    public static Duration parse(String text) {
        String v = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("min")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 3).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (examples: 200ms, 10s, 1min)", e);
        }
    }
}
