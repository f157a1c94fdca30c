package io.sluice.supervision;

import java.time.Duration;

/**
 * Something that happened to a supervised driver: it moved to another {@link DriverState}, or it became healthy (it
 * has completed batches for {@code sluice.driver.restart.healthyAfter}, so its failure count starts again).
 * Serialized as one tab-separated line in the {@link DriverEventLog}.
 */
public sealed interface DriverEvent {
    /** When it happened (epoch millis). */
    long timeMs();

    /** The driver attempt it concerns (1-based); for {@link DriverState#BACKING_OFF}, the attempt about to start. */
    int attempt();

    /**
     * The driver moved to {@code state}.
     *
     * @param reason  why (a failure's reason, the final diagnostics); empty when there is nothing to say
     * @param backoff for {@link DriverState#BACKING_OFF}, the delay the policy chose before the next attempt; else zero
     */
    record StateChanged(long timeMs, int attempt, DriverState state, String reason, Duration backoff) implements DriverEvent {
        public StateChanged {
            reason = reason == null ? "" : reason;
            backoff = backoff == null ? Duration.ZERO : backoff;
        }

        @Override
        public String toLine() {
            return timeMs + "\t" + attempt + "\tSTATE\t" + state + "\t" + backoff.toMillis() + "\t" + escape(reason);
        }
    }

    /** The driver has completed batches for long enough: the failures before now no longer count. */
    record BecameHealthy(long timeMs, int attempt, String reason) implements DriverEvent {
        @Override
        public String toLine() {
            return timeMs + "\t" + attempt + "\tHEALTHY\t-\t0\t" + escape(reason);
        }
    }

    /** {@code time<TAB>attempt<TAB>kind<TAB>state<TAB>backoff ms<TAB>reason}, the reason on one line. */
    String toLine();

    private static String escape(String reason) {
        return reason.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "");
    }

    /** The inverse of {@link #toLine()}. */
    static DriverEvent parse(String line) {
        String[] f = line.split("\t", 6);
        if (f.length != 6) {
            throw new IllegalArgumentException("not a driver event line: " + line);
        }
        long time = Long.parseLong(f[0]);
        int attempt = Integer.parseInt(f[1]);
        String reason = unescape(f[5]);
        return switch (f[2]) {
            case "STATE" -> new StateChanged(time, attempt, DriverState.valueOf(f[3]), reason, Duration.ofMillis(Long.parseLong(f[4])));
            case "HEALTHY" -> new BecameHealthy(time, attempt, reason);
            default -> throw new IllegalArgumentException("unknown driver event kind " + f[2] + " in " + line);
        };
    }

    private static String unescape(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                out.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
