package io.sluice.control;

import java.util.ArrayList;
import java.util.List;

/**
 * The executor counts the controller has read, with the time of each reading, so that a batch can be credited with
 * the executors that may have run it. The count between two readings is unknown, so a batch that ran in
 * {@code [from, to]} is given the range of every reading from the last one at or before {@code from} to the first
 * one at or after {@code to}. More frequent readings give tighter ranges.
 *
 * <p>Runs of equal readings are kept as their first and last reading, so the history grows with changes, not with
 * time; {@link #forgetBefore} drops what no batch can still need. Not thread-safe: owned by the allocation thread.
 */
final class ExecutorCountHistory {
    /** The fewest and most executors that may have been running during a span. */
    record Range(int low, int high) {
    }

    private record Reading(long timeMs, int count) {
    }

    private final List<Reading> readings = new ArrayList<>();

    void record(long timeMs, int count) {
        int n = readings.size();
        if (n > 0 && timeMs < readings.get(n - 1).timeMs()) {
            throw new IllegalArgumentException("executor count read at " + timeMs + " ms, before the previous reading at "
                    + readings.get(n - 1).timeMs() + " ms");
        }
        if (n >= 2 && readings.get(n - 1).count() == count && readings.get(n - 2).count() == count) {
            readings.set(n - 1, new Reading(timeMs, count)); // the middle reading of a run says nothing more
        } else {
            readings.add(new Reading(timeMs, count));
        }
    }

    /** The counts that may have applied during {@code [fromMs, toMs]}; {@code (0, 0)} before any reading. */
    Range during(long fromMs, long toMs) {
        if (readings.isEmpty()) {
            return new Range(0, 0);
        }
        int first = 0;
        for (int i = readings.size() - 1; i >= 0; i--) {
            if (readings.get(i).timeMs() <= fromMs) {
                first = i;
                // readings before and after a request share a time: a span starting at that very time may have
                // had either; one starting later had the last
                while (first > 0 && readings.get(i).timeMs() == fromMs && readings.get(first - 1).timeMs() == fromMs) {
                    first--;
                }
                break;
            }
        }
        int low = Integer.MAX_VALUE;
        int high = 0;
        for (int i = first; i < readings.size(); i++) {
            Reading r = readings.get(i);
            if (i > first && r.timeMs() > toMs && readings.get(i - 1).timeMs() >= toMs) {
                break;
            }
            low = Math.min(low, r.count());
            high = Math.max(high, r.count());
        }
        return new Range(low, high);
    }

    /** Drops readings no span starting at or after {@code timeMs} needs: all but the last one before it. */
    void forgetBefore(long timeMs) {
        int keepFrom = 0;
        for (int i = readings.size() - 1; i >= 0; i--) {
            if (readings.get(i).timeMs() < timeMs) {
                keepFrom = i;
                break;
            }
        }
        if (keepFrom > 0) {
            readings.subList(0, keepFrom).clear();
        }
    }

    int size() {
        return readings.size();
    }
}
