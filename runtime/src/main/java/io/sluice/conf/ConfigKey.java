package io.sluice.conf;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed configuration key: its name, how a string becomes a value, its default, its documentation and the names
 * it was known by before (still read, with a deprecation warning at start).
 *
 * <p>Every module declares its keys once, as constants built with {@link #key(String)}, and lists them through a
 * {@link ConfigKeyProvider} so that validation and the generated documentation see them:
 *
 * <pre>{@code
 * public static final ConfigKey<Integer> DRIVER_MEMORY_MB = ConfigKey.key("sluice.driver.memory")
 *         .intType().atLeast(64).defaultValue(512).deprecatedNames("sluice.yarn.am.memory")
 *         .doc("Heap of the driver JVM, in MiB, where the cluster manager starts the driver.");
 * }</pre>
 *
 * A default that its own check refuses fails when the declaring class initializes, not in production.
 */
public final class ConfigKey<T> {
    private final String name;
    private final Class<T> type;
    private final Function<String, T> parser;
    private final T defaultValue;
    private final String doc;
    private final Function<T, String> check;
    private final List<String> deprecatedNames;

    ConfigKey(String name, Class<T> type, Function<String, T> parser, T defaultValue, String doc) {
        this(name, type, parser, defaultValue, doc, v -> null, List.of());
    }

    /** {@code check} returns a description of what is wrong with a value, or null when it is fine. */
    ConfigKey(String name, Class<T> type, Function<String, T> parser, T defaultValue, String doc,
              Function<T, String> check) {
        this(name, type, parser, defaultValue, doc, check, List.of());
    }

    private ConfigKey(String name, Class<T> type, Function<String, T> parser, T defaultValue, String doc,
                      Function<T, String> check, List<String> deprecatedNames) {
        this.name = Objects.requireNonNull(name);
        if (!name.startsWith("sluice.")) {
            throw new IllegalArgumentException("configuration key " + name + " must start with sluice.");
        }
        if (doc == null || doc.isBlank()) {
            throw new IllegalArgumentException("configuration key " + name + " needs documentation");
        }
        this.type = type;
        this.parser = parser;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.check = check;
        this.deprecatedNames = List.copyOf(deprecatedNames);
        if (defaultValue != null && check.apply(defaultValue) != null) {
            throw new IllegalStateException(name + ": invalid default " + defaultValue + ": " + check.apply(defaultValue));
        }
    }

    /** Starts the declaration of the key {@code name} (which must start with {@code sluice.}). */
    public static Name key(String name) {
        return new Name(name);
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

    /** Older names of this key, still read (a value under {@link #name()} wins), with a warning at start. */
    public List<String> deprecatedNames() {
        return deprecatedNames;
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
        return parse(name, raw);
    }

    /** Parses {@code raw}, naming {@code as} (the name the value was set under) in an error. */
    T parse(String as, String raw) {
        T value;
        try {
            value = parser.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(as + ": cannot parse '" + raw + "' as " + type.getSimpleName()
                    + (type == Duration.class ? " (examples: 200ms, 10s, 1min)" : ""), e);
        }
        String problem = check.apply(value);
        if (problem != null) {
            throw new IllegalArgumentException(as + ": " + problem + ", got " + raw.trim());
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

    /** The first step of a declaration: the key's name; next, its type. */
    public static final class Name {
        private final String name;

        private Name(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder<String> stringType() {
            return new Builder<>(name, String.class, s -> s);
        }

        public Builder<Integer> intType() {
            return new Builder<>(name, Integer.class, Integer::valueOf);
        }

        public Builder<Long> longType() {
            return new Builder<>(name, Long.class, Long::valueOf);
        }

        public Builder<Double> doubleType() {
            return new Builder<>(name, Double.class, s -> {
                double v = Double.parseDouble(s);
                if (Double.isNaN(v) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("not a finite number");
                }
                return v;
            });
        }

        public Builder<Boolean> booleanType() {
            return new Builder<>(name, Boolean.class, s -> {
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                    return Boolean.valueOf(s);
                }
                throw new IllegalArgumentException("expected true or false");
            });
        }

        /** Written {@code 200ms}, {@code 10s}, {@code 2min}, {@code 1h}, or a bare number of milliseconds. */
        public Builder<Duration> durationType() {
            return new Builder<>(name, Duration.class, ConfigKey::parseDuration);
        }
    }

    /** The rest of a declaration; {@link #doc(String)} ends it. */
    public static final class Builder<T> {
        private final String name;
        private final Class<T> type;
        private final Function<String, T> parser;
        private T defaultValue;
        private Function<T, String> check = v -> null;
        private List<String> deprecatedNames = List.of();

        private Builder(String name, Class<T> type, Function<String, T> parser) {
            this.name = name;
            this.type = type;
            this.parser = parser;
        }

        /** The value when the key is not set; none (null) by default. */
        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            return this;
        }

        /** Adds a check: {@code problem} returns what is wrong with a value ("expected ..."), or null when it is fine. */
        public Builder<T> check(Function<T, String> problem) {
            Function<T, String> before = check;
            this.check = v -> {
                String p = before.apply(v);
                return p != null ? p : problem.apply(v);
            };
            return this;
        }

        /** Values below {@code min} are refused ("expected >= min"). */
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Builder<T> atLeast(T min) {
            String shown = min instanceof Duration d ? d.toMillis() + " ms" : String.valueOf(min);
            return check(v -> ((Comparable) v).compareTo(min) < 0 ? "expected >= " + shown : null);
        }

        /** Only these values (compared case-sensitively) are accepted. */
        @SafeVarargs
        public final Builder<T> oneOf(T... allowed) {
            var list = Arrays.asList(allowed);
            return check(v -> list.contains(v) ? null : "expected one of " + list);
        }

        /** Names this key had before; a value set under one of them is still read, with a warning at start. */
        public Builder<T> deprecatedNames(String... names) {
            this.deprecatedNames = List.of(names);
            return this;
        }

        /** Ends the declaration with the key's documentation (one or a few sentences for users). */
        public ConfigKey<T> doc(String doc) {
            return new ConfigKey<>(name, type, parser, defaultValue, doc, check, deprecatedNames);
        }
    }
}
