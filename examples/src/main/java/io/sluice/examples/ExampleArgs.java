package io.sluice.examples;

import io.sluice.api.Durations;
import io.sluice.conf.SluiceConf;
import java.time.Duration;
import java.util.List;

/**
 * Positional command-line arguments of an example, each optional with a default, plus the usage text that is
 * printed (to standard error) when an argument cannot be parsed or {@code -h}/{@code --help} is given.
 *
 * <p>The master is the argument named {@code master} when given, else the {@code sluice.master} system property
 * ({@code -Dsluice.master=local[4]}), else {@code local[2]}.
 */
final class ExampleArgs {
    static final String DEFAULT_MASTER = "local[2]";

    private final String usage;
    private final List<String> args;

    private ExampleArgs(String usage, String[] args) {
        this.usage = usage;
        this.args = List.of(args);
    }

    /** Wraps {@code args}; prints {@code usage} and exits with status 0 on {@code -h} or {@code --help}. */
    static ExampleArgs parse(String usage, String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help")) {
                System.err.println(usage);
                System.exit(0);
            }
        }
        return new ExampleArgs(usage, args);
    }

    String string(int index, String name, String defaultValue) {
        if (index < args.size()) {
            return args.get(index);
        }
        if (defaultValue == null) {
            throw fail("missing argument <" + name + ">");
        }
        return defaultValue;
    }

    int integer(int index, String name, int defaultValue) {
        String raw = string(index, name, Integer.toString(defaultValue));
        try {
            return Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw fail(name + ": expected an integer, got '" + raw + "'");
        }
    }

    /** A duration written as {@code 500ms}, {@code 5s}, {@code 2min}, or a bare number of seconds. */
    Duration duration(int index, String name, Duration defaultValue) {
        String raw = string(index, name, defaultValue.toMillis() + "ms");
        try {
            return parseDuration(raw);
        } catch (IllegalArgumentException e) {
            throw fail(name + ": expected a duration such as 500ms, 5s or 2min (a bare number means seconds), got '"
                    + raw + "'");
        }
    }

    /** The master URL: argument {@code index} if given, else {@code -Dsluice.master}, else {@code local[2]}. */
    String master(int index) {
        return string(index, "master", System.getProperty(SluiceConf.MASTER.name(), DEFAULT_MASTER));
    }

    /** A duration as {@link Durations#parse} reads it, except that a bare number means seconds here. */
    static Duration parseDuration(String raw) {
        String v = raw.trim();
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        return Durations.parse(v);
    }

    /** Prints the problem and the usage, and exits with status 2 (a bad command line). */
    private IllegalArgumentException fail(String message) {
        System.err.println(message);
        System.err.println(usage);
        System.exit(2);
        return new IllegalArgumentException(message); // not reached
    }
}
