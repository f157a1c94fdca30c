package io.sluice.conf;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed configuration key: its name, how a string becomes a value, its default and its documentation.
 * All keys are declared once, in {@link SluiceConf}.
 */
public final class ConfigKey<T> {
    private final String name;
    private final Class<T> type;
    private final Function<String, T> parser;
    private final T defaultValue;
    private final String doc;
    private final Function<T, String> check;

    ConfigKey(String name, Class<T> type, Function<String, T> parser, T defaultValue, String doc) {
        this(name, type, parser, defaultValue, doc, v -> null);
    }

    /** {@code check} returns a description of what is wrong with a value, or null when it is fine. */
    ConfigKey(String name, Class<T> type, Function<String, T> parser, T defaultValue, String doc,
              Function<T, String> check) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.check = check;
        if (defaultValue != null && check.apply(defaultValue) != null) {
            throw new IllegalStateException(name + ": invalid default " + defaultValue + ": " + check.apply(defaultValue));
        }
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** The default as it would be written in a configuration file. */
    public String defaultText() {
        if (defaultValue == null) {
            return "(none)";
        }
        if (defaultValue instanceof Duration d) {
            return formatDuration(d);
        }
        return String.valueOf(defaultValue);
    }

    T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + ": cannot parse '" + raw + "' as " + type.getSimpleName()
                    + (type == Duration.class ? " (examples: 200ms, 10s, 1min)" : ""), e);
        }
        String problem = check.apply(value);
        if (problem != null) {
            throw new IllegalArgumentException(name + ": " + problem + ", got " + raw.trim());
        }
        return value;
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "min";
        }
        if (ms % 1000 == 0 && ms != 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** Parses durations written as {@code 200ms}, {@code 10s}, {@code 2min}, {@code 1h}, or a bare number of milliseconds. */
    static Duration parseDuration(String s) {
        return io.sluice.api.Durations.parse(s);
    }

    @Override
    public String toString() {
        return name;
    }
}
