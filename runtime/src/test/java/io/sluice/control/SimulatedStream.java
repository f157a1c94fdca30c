package io.sluice.control;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongToDoubleFunction;

/**
 * A deterministic stand-in for the job scheduler: one batch is submitted every batch interval, batches run one at a
 * time in order, and each takes {@code workCoreMs(batchTime) / taskCores} ms, task cores counted when it starts. Posts
 * the submitted, started and completed events a real scheduler posts.
 */
final class SimulatedStream {
    private final StreamingListener listener;
    private final long intervalMs;
    private final IntSupplier taskCores;
    private final LongToDoubleFunction workCoreMs;
    private final ArrayDeque<BatchInfo> queue = new ArrayDeque<>();
    private long nextSubmitMs;
    private BatchInfo running;
    private long runningEndMs = Long.MAX_VALUE;
    int completed;

    SimulatedStream(StreamingListener listener, long intervalMs, IntSupplier taskCores, LongToDoubleFunction workCoreMs) {
        this.listener = listener;
        this.intervalMs = intervalMs;
        this.taskCores = taskCores;
        this.workCoreMs = workCoreMs;
        this.nextSubmitMs = intervalMs;
    }

    /** Batches submitted and not yet started. */
    int waiting() {
        return queue.size();
    }

    /** Plays every submission, start and completion up to and including {@code untilMs}. */
    void runUntil(long untilMs) {
        while (Math.min(nextSubmitMs, runningEndMs) <= untilMs) {
            if (runningEndMs <= nextSubmitMs) {
                long end = runningEndMs;
                var done = new BatchInfo(running.batchTime(), Map.of(), running.submissionTime(),
                        running.processingStartTime(), end, Map.of());
                running = null;
                runningEndMs = Long.MAX_VALUE;
                completed++;
                listener.onBatchCompleted(new StreamingListenerEvent.BatchCompleted(done));
                startNext(end);
            } else {
                long t = nextSubmitMs;
                nextSubmitMs += intervalMs;
                var submitted = new BatchInfo(Time.ofMillis(t), Map.of(), t, -1, -1, Map.of());
                queue.addLast(submitted);
                listener.onBatchSubmitted(new StreamingListenerEvent.BatchSubmitted(submitted));
                startNext(t);
            }
        }
    }

    private void startNext(long nowMs) {
        if (running != null || queue.isEmpty()) {
            return;
        }
        int cores = taskCores.getAsInt();
        if (cores <= 0) {
            throw new IllegalStateException("no task core left to run a batch at " + nowMs + " ms");
        }
        var next = queue.removeFirst();
        running = new BatchInfo(next.batchTime(), Map.of(), next.submissionTime(), nowMs, -1, Map.of());
        runningEndMs = nowMs + (long) Math.ceil(workCoreMs.applyAsDouble(next.batchTime().milliseconds()) / cores);
        listener.onBatchStarted(new StreamingListenerEvent.BatchStarted(running));
    }
}
