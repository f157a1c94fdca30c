package io.sluice.metrics;

import io.sluice.listener.BatchInfo;
import io.sluice.ui.StreamingJobProgressListener;
import io.sluice.ui.StreamingJobProgressListener.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The seed's streaming gauges, under {@code <appId>.driver.<appName>.StreamingMetrics.streaming.<gauge>} in
 * {@code /metrics/json} and as {@code sluice_streaming_<gauge>} in {@code /metrics/prometheus}. Times are clock
 * milliseconds and delays milliseconds; a value not known yet (no completed batch) is -1, a record count 0.
 * All gauges of one scrape come from one snapshot of the {@link StreamingJobProgressListener}.
 */
public final class StreamingMetrics implements MetricSource {
    /** The gauge names, as listed in the seed (L4919-L4936). */
    public static final List<String> GAUGES = List.of(
            "lastCompletedBatch_processingDelay", "lastCompletedBatch_processingEndTime",
            "lastCompletedBatch_processingStartTime", "lastCompletedBatch_schedulingDelay",
            "lastCompletedBatch_submissionTime", "lastCompletedBatch_totalDelay",
            "lastReceivedBatch_processingEndTime", "lastReceivedBatch_processingStartTime",
            "lastReceivedBatch_records", "lastReceivedBatch_submissionTime",
            "receivers", "retainedCompletedBatches", "runningBatches", "totalCompletedBatches",
            "totalProcessedRecords", "totalReceivedRecords", "unprocessedBatches", "waitingBatches");

    private final String keyPrefix;
    private final StreamingJobProgressListener listener;

    public StreamingMetrics(String appId, String appName, StreamingJobProgressListener listener) {
        this.keyPrefix = appId + ".driver." + appName + ".StreamingMetrics.streaming.";
        this.listener = listener;
    }

    @Override
    public List<Sample> collect() {
        Snapshot s = listener.snapshot();
        Optional<BatchInfo> done = s.lastCompletedBatch();
        Optional<BatchInfo> last = s.lastReceivedBatch();
        var out = new ArrayList<Sample>(GAUGES.size());
        add(out, "lastCompletedBatch_processingDelay", "Processing time of the last completed batch, in ms (-1 before the first).",
                delay(done, BatchInfo::processingDelay));
        add(out, "lastCompletedBatch_processingEndTime", "When the last completed batch finished processing (clock ms; -1 before the first).",
                time(done, BatchInfo::processingEndTime));
        add(out, "lastCompletedBatch_processingStartTime", "When the last completed batch started processing (clock ms; -1 before the first).",
                time(done, BatchInfo::processingStartTime));
        add(out, "lastCompletedBatch_schedulingDelay", "How long the last completed batch waited to be processed, in ms (-1 before the first).",
                delay(done, BatchInfo::schedulingDelay));
        add(out, "lastCompletedBatch_submissionTime", "When the last completed batch was submitted (clock ms; -1 before the first).",
                time(done, BatchInfo::submissionTime));
        add(out, "lastCompletedBatch_totalDelay", "Scheduling delay plus processing time of the last completed batch, in ms (-1 before the first).",
                delay(done, BatchInfo::totalDelay));
        add(out, "lastReceivedBatch_processingEndTime", "When the newest batch finished processing (clock ms; -1 while it has not).",
                time(last, BatchInfo::processingEndTime));
        add(out, "lastReceivedBatch_processingStartTime", "When the newest batch started processing (clock ms; -1 while it has not).",
                time(last, BatchInfo::processingStartTime));
        add(out, "lastReceivedBatch_records", "Input records of the newest batch.",
                last.map(BatchInfo::numRecords).orElse(0L));
        add(out, "lastReceivedBatch_submissionTime", "When the newest batch was submitted (clock ms; -1 before the first).",
                time(last, BatchInfo::submissionTime));
        add(out, "receivers", "Receivers of the application.", (long) s.numReceivers());
        add(out, "retainedCompletedBatches", "Completed batches remembered (at most sluice.streaming.ui.retainedBatches).",
                (long) s.completed().size());
        add(out, "runningBatches", "Batches being processed.", (long) s.running().size());
        add(out, "totalCompletedBatches", "Batches completed since streaming started.", s.totalCompletedBatches());
        add(out, "totalProcessedRecords", "Input records of the completed batches since streaming started.",
                s.totalProcessedRecords());
        add(out, "totalReceivedRecords", "Input records of the batches submitted since streaming started.",
                s.totalReceivedRecords());
        add(out, "unprocessedBatches", "Batches submitted and not completed: waiting plus running.",
                (long) (s.waiting().size() + s.running().size()));
        add(out, "waitingBatches", "Batches submitted and waiting for the job thread.", (long) s.waiting().size());
        return out;
    }

    private void add(List<Sample> out, String gauge, String help, long value) {
        out.add(Sample.gauge(keyPrefix + gauge, "sluice_streaming_" + PrometheusText.sanitize(gauge), help, Map.of(), value));
    }

    private static long delay(Optional<BatchInfo> b, Function<BatchInfo, OptionalLong> f) {
        return b.map(f).filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).orElse(-1L);
    }

    private static long time(Optional<BatchInfo> b, java.util.function.ToLongFunction<BatchInfo> f) {
        return b.map(f::applyAsLong).orElse(-1L);
    }
}
