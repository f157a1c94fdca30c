package io.sluice.ui;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The data model behind the REST API, the metrics and the UI: the batches waiting, running and (the last
 * {@code retainedBatches}) completed, the receivers' states, and running totals. Built from listener-bus events only,
 * so it sees what any {@link StreamingListener} sees.
 *
 * <p>Events arrive on the listener-bus thread; readers (HTTP I/O threads, metric scrapes) take a consistent
 * {@link #snapshot()}. All state is guarded by {@code this}.
 */
public final class StreamingJobProgressListener implements StreamingListener {

    /** Where a batch is: waiting for the job thread, processing, or done. Names as in Spark's REST API. */
    public enum BatchStatus { QUEUED, PROCESSING, COMPLETED }

    /** A batch with its status. */
    public record BatchUiData(BatchInfo info, BatchStatus status) {
        public long batchId() {
            return info.batchTime().milliseconds();
        }
    }

    /**
     * Everything at one instant, batches newest first.
     *
     * @param startTime clock milliseconds when streaming started, empty before {@code onStreamingStarted}
     * @param receiverStreams the receiver input streams' names by stream id (known ones and reported ones)
     */
    public record Snapshot(OptionalLong startTime, Duration batchDuration, Map<Integer, String> receiverStreams,
                           Map<Integer, ReceiverInfo> receiverInfos, List<BatchInfo> waiting, List<BatchInfo> running,
                           List<BatchInfo> completed, long totalCompletedBatches, long totalReceivedRecords,
                           long totalProcessedRecords) {

        public int numReceivers() {
            return receiverStreams.size();
        }

        public int numActiveReceivers() {
            return (int) receiverInfos.values().stream().filter(ReceiverInfo::active).count();
        }

        /** Waiting, running and retained completed batches with their status, newest first. */
        public List<BatchUiData> retainedBatches() {
            var all = new ArrayList<BatchUiData>();
            waiting.forEach(b -> all.add(new BatchUiData(b, BatchStatus.QUEUED)));
            running.forEach(b -> all.add(new BatchUiData(b, BatchStatus.PROCESSING)));
            completed.forEach(b -> all.add(new BatchUiData(b, BatchStatus.COMPLETED)));
            all.sort((a, b) -> Long.compare(b.batchId(), a.batchId()));
            return all;
        }

        public Optional<BatchUiData> batch(long batchId) {
            return retainedBatches().stream().filter(b -> b.batchId() == batchId).findFirst();
        }

        /** The newest completed batch. */
        public Optional<BatchInfo> lastCompletedBatch() {
            return completed.isEmpty() ? Optional.empty() : Optional.of(completed.get(0));
        }

        /** The newest batch submitted, whatever its status (Spark's {@code lastReceivedBatch}). */
        public Optional<BatchInfo> lastReceivedBatch() {
            var all = retainedBatches();
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0).info());
        }

        /**
         * Records per second that stream {@code streamId} contributed to each retained completed batch, oldest
         * first, as (batch time ms, rate) pairs.
         */
        public List<long[]> recordsPerBatch(int streamId) {
            var out = new ArrayList<long[]>();
            for (int i = completed.size() - 1; i >= 0; i--) {
                BatchInfo b = completed.get(i);
                var in = b.streamIdToInputInfo().get(streamId);
                out.add(new long[] {b.batchTime().milliseconds(), in == null ? 0 : in.numRecords()});
            }
            return out;
        }

        /** Records per second for a batch with {@code records} records. */
        public double rate(long records) {
            return records * 1000.0 / batchDuration.toMillis();
        }
    }

    private final Duration batchDuration;
    private final int retainedBatches;
    private final Map<Integer, String> receiverStreams;
    private final Map<Integer, ReceiverInfo> receiverInfos = new TreeMap<>();
    private final Map<Time, BatchInfo> waiting = new LinkedHashMap<>();
    private final Map<Time, BatchInfo> running = new LinkedHashMap<>();
    private final Deque<BatchInfo> completed = new ArrayDeque<>(); // newest first
    private long startTime = -1;
    private long totalCompletedBatches;
    private long totalReceivedRecords;
    private long totalProcessedRecords;

    /**
     * @param receiverStreams the graph's receiver input streams (id to name), so that receivers count before they
     *                        report in
     */
    public StreamingJobProgressListener(Duration batchDuration, int retainedBatches, Map<Integer, String> receiverStreams) {
        if (retainedBatches < 1) {
            throw new IllegalArgumentException("retainedBatches must be >= 1, got " + retainedBatches);
        }
        this.batchDuration = batchDuration;
        this.retainedBatches = retainedBatches;
        this.receiverStreams = new TreeMap<>(receiverStreams);
    }

    @Override
    public synchronized void onStreamingStarted(StreamingListenerEvent.StreamingStarted event) {
        startTime = event.time();
    }

    @Override
    public synchronized void onBatchSubmitted(StreamingListenerEvent.BatchSubmitted event) {
        BatchInfo b = event.batchInfo();
        waiting.put(b.batchTime(), b);
        totalReceivedRecords += b.numRecords();
    }

    @Override
    public synchronized void onBatchStarted(StreamingListenerEvent.BatchStarted event) {
        BatchInfo b = event.batchInfo();
        waiting.remove(b.batchTime());
        running.put(b.batchTime(), b);
    }

    @Override
    public synchronized void onOutputOperationStarted(StreamingListenerEvent.OutputOperationStarted event) {
        updateRunningOp(event.outputOperationInfo());
    }

    @Override
    public synchronized void onOutputOperationCompleted(StreamingListenerEvent.OutputOperationCompleted event) {
        updateRunningOp(event.outputOperationInfo());
    }

    private void updateRunningOp(OutputOperationInfo op) {
        BatchInfo b = running.get(op.batchTime());
        if (b == null) {
            return; // completed already, or never started: the completed batch's info is authoritative
        }
        var ops = new LinkedHashMap<>(b.outputOperationInfos());
        ops.put(op.id(), op);
        running.put(b.batchTime(), new BatchInfo(b.batchTime(), b.streamIdToInputInfo(), b.submissionTime(),
                b.processingStartTime(), b.processingEndTime(), Collections.unmodifiableMap(ops)));
    }

    @Override
    public synchronized void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
        BatchInfo b = event.batchInfo();
        waiting.remove(b.batchTime());
        running.remove(b.batchTime());
        completed.addFirst(b);
        while (completed.size() > retainedBatches) {
            completed.removeLast();
        }
        totalCompletedBatches++;
        totalProcessedRecords += b.numRecords();
    }

    @Override
    public synchronized void onReceiverStarted(StreamingListenerEvent.ReceiverStarted event) {
        receiverInfos.put(event.receiverInfo().streamId(), event.receiverInfo());
    }

    @Override
    public synchronized void onReceiverError(StreamingListenerEvent.ReceiverError event) {
        receiverInfos.put(event.receiverInfo().streamId(), event.receiverInfo());
    }

    @Override
    public synchronized void onReceiverStopped(StreamingListenerEvent.ReceiverStopped event) {
        receiverInfos.put(event.receiverInfo().streamId(), event.receiverInfo());
    }

    public synchronized Snapshot snapshot() {
        var streams = new TreeMap<>(receiverStreams);
        for (var info : receiverInfos.values()) {
            streams.putIfAbsent(info.streamId(), info.name());
        }
        return new Snapshot(startTime >= 0 ? OptionalLong.of(startTime) : OptionalLong.empty(), batchDuration,
                Collections.unmodifiableMap(streams), Collections.unmodifiableMap(new TreeMap<>(receiverInfos)),
                List.copyOf(reversed(waiting.values())), List.copyOf(reversed(running.values())),
                List.copyOf(completed), totalCompletedBatches, totalReceivedRecords, totalProcessedRecords);
    }

    private static List<BatchInfo> reversed(java.util.Collection<BatchInfo> oldestFirst) {
        var l = new ArrayList<>(oldestFirst);
        Collections.reverse(l);
        return l;
    }

    public Duration batchDuration() {
        return batchDuration;
    }
}
