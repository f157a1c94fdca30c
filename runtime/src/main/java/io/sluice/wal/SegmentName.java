package io.sluice.wal;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The name of a segment file, {@code log-<startMs>-<endMs>} or {@code log-<startMs>-<endMs>.<n>}: every record in
 * it has a time in {@code [startMs, endMs)}, so cleaning can decide from the name alone that a whole segment is
 * old. The suffix {@code n} tells apart segments of the same window (a writer restarted within the window, or a
 * segment abandoned after a failed write). Files with other names (temporaries, foreign files) are not segments.
 */
record SegmentName(long startMs, long endMs, int seq) {
    private static final Pattern NAME = Pattern.compile("log-(\\d+)-(\\d+)(?:\\.(\\d+))?");

    /** Segments in the order their records were meant to be read: by time window, then by suffix. */
    static final Comparator<SegmentName> ORDER = Comparator.comparingLong(SegmentName::startMs)
            .thenComparingLong(SegmentName::endMs).thenComparingInt(SegmentName::seq);

    SegmentName {
        if (startMs < 0 || endMs <= startMs || seq < 0) {
            throw new IllegalArgumentException("Invalid segment window [" + startMs + ", " + endMs + ") #" + seq);
        }
    }

    /** The window of length {@code intervalMs} holding {@code timeMs}, aligned to multiples of the interval. */
    static SegmentName windowOf(long timeMs, long intervalMs) {
        long start = Math.floorDiv(timeMs, intervalMs) * intervalMs;
        return new SegmentName(start, start + intervalMs, 0);
    }

    static Optional<SegmentName> parse(String fileName) {
        var m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new SegmentName(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3))));
        } catch (IllegalArgumentException e) { // overflowing numbers or an empty window: not one of ours
            return Optional.empty();
        }
    }

    boolean contains(long timeMs) {
        return timeMs >= startMs && timeMs < endMs;
    }

    SegmentName next() {
        return new SegmentName(startMs, endMs, seq + 1);
    }

    String fileName() {
        return "log-" + startMs + "-" + endMs + (seq == 0 ? "" : "." + seq);
    }
}
