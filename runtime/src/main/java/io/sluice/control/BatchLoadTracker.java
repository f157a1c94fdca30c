package io.sluice.control;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects, from listener events, the batches completed since the last {@link #drain()} and the batches waiting to
 * start. Thread-safe: events arrive on the listener bus thread, {@code drain} is called on the allocation thread.
 */
final class BatchLoadTracker {
    private final Set<Time> waiting = new HashSet<>();
    private final List<BatchInfo> completed = new ArrayList<>();

    synchronized void submitted(BatchInfo batch) {
        waiting.add(batch.batchTime());
    }

    synchronized void started(BatchInfo batch) {
        waiting.remove(batch.batchTime());
    }

    synchronized void completed(BatchInfo batch) {
        waiting.remove(batch.batchTime());
        completed.add(batch);
    }

    /** The load since the previous call; forgets the completed batches, keeps counting the waiting ones. */
    synchronized LoadEstimate drain() {
        var estimate = LoadEstimate.of(completed, waiting.size());
        completed.clear();
        return estimate;
    }
}
