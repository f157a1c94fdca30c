package io.sluice.control;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects, from listener events, the batches completed since the last {@link #drainCompleted()}, the batches
 * waiting to start and when the running ones started. Thread-safe: events arrive on the listener bus thread, the reads come from the allocation
 * thread.
 */
final class BatchLoadTracker {
    private final Set<Time> waiting = new HashSet<>();
    private final Map<Time, Long> running = new HashMap<>();
    private final List<BatchInfo> completed = new ArrayList<>();

    synchronized void submitted(BatchInfo batch) {
        waiting.add(batch.batchTime());
    }

    synchronized void started(BatchInfo batch) {
        waiting.remove(batch.batchTime());
        running.put(batch.batchTime(), batch.processingStartTime());
    }

    synchronized void completed(BatchInfo batch) {
        waiting.remove(batch.batchTime());
        running.remove(batch.batchTime());
        completed.add(batch);
    }

    /** The batches completed since the previous call, which are forgotten. */
    synchronized List<BatchInfo> drainCompleted() {
        var batches = List.copyOf(completed);
        completed.clear();
        return batches;
    }

    /** Batches submitted and not yet started. */
    synchronized int waiting() {
        return waiting.size();
    }

    /** When the earliest batch still running started; {@code orElse} if none is running. */
    synchronized long earliestRunningStart(long orElse) {
        long earliest = orElse;
        for (long start : running.values()) {
            earliest = Math.min(earliest, start);
        }
        return earliest;
    }
}
