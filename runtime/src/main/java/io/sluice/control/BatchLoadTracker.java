package io.sluice.control;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects, from listener events, the batches completed since the last {@link #drainCompleted()}, the last few
 * batches completed, the batches waiting to start and when the running ones started. Thread-safe: events arrive on the listener bus thread, the reads come from the allocation
 * thread.
 */
final class BatchLoadTracker {
    private final Set<Time> waiting = new HashSet<>();
    private final Map<Time, Long> running = new HashMap<>();
    private final List<BatchInfo> completed = new ArrayList<>();
    /** The last {@link #RECENT} successful batches, oldest first; not drained. */
    private final ArrayDeque<BatchInfo> recent = new ArrayDeque<>();
    static final int RECENT = 2;

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
        if (!batch.failed() && batch.processingDelay().isPresent()) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(batch);
        }
    }

    /** The last {@value #RECENT} batches that completed successfully (fewer early on), oldest first. */
    synchronized List<BatchInfo> recent() {
        return List.copyOf(recent);
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

    /**
     * When the earliest batch still running, or still among the {@link #recent} ones, started; {@code orElse} if
     * there is none: executor counts read before then are needed by no batch.
     */
    synchronized long earliestNeededStart(long orElse) {
        long earliest = orElse;
        for (long start : running.values()) {
            earliest = Math.min(earliest, start);
        }
        for (BatchInfo b : recent) {
            earliest = Math.min(earliest, b.processingStartTime());
        }
        return earliest;
    }
}
