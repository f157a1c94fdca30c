package io.sluice.ui.rest;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.ReceiverInfo;
import io.sluice.ui.StreamingJobProgressListener;
import io.sluice.ui.StreamingJobProgressListener.BatchStatus;
import io.sluice.ui.StreamingJobProgressListener.BatchUiData;
import io.sluice.ui.StreamingJobProgressListener.Snapshot;
import io.sluice.ui.http.NotFoundException;
import io.sluice.ui.http.Request;
import io.sluice.ui.http.Response;
import io.sluice.ui.http.Router;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The monitoring REST API of one running streaming application, mounted under {@code /api/v1}: the application and,
 * under {@code /api/v1/applications/{appId}/streaming}, {@code statistics}, {@code receivers},
 * {@code receivers/{streamId}}, {@code batches} (optionally {@code ?status=QUEUED|PROCESSING|COMPLETED}),
 * {@code batches/{batchId}} (with each input stream's records and metadata), {@code batches/{batchId}/operations}
 * and {@code batches/{batchId}/operations/{outputOpId}}.
 *
 * <p>Field names follow the seed's {@code statistics} table and, for receivers, batches and output operations,
 * Spark's {@code org.apache.spark.status.api.v1.streaming} classes. Dates are ISO 8601 in UTC with milliseconds
 * ({@code 2017-05-21T21:45:25.000Z}); durations are milliseconds; a batch's id is its batch time in milliseconds.
 * Members without a value (the scheduling delay of a queued batch, averages before the first batch) are left out.
 * Unknown application, stream, batch or output operation ids give a 404 with a JSON error.
 */
public final class StreamingRestApi {
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The application served: its id and name, its attempt, who runs it and when it started (epoch ms). */
    public record ApplicationInfo(String id, String name, int attempt, String user, long startTimeEpochMs) {
    }

    private final ApplicationInfo app;
    private final StreamingJobProgressListener listener;
    private final LongSupplier wallClock;

    public StreamingRestApi(ApplicationInfo app, StreamingJobProgressListener listener, LongSupplier wallClock) {
        this.app = app;
        this.listener = listener;
        this.wallClock = wallClock;
    }

    /** ISO 8601, UTC, milliseconds: the date format of every endpoint. */
    public static String formatDate(long epochMs) {
        return ISO_MILLIS.format(Instant.ofEpochMilli(epochMs));
    }

    public void mount(Router router) {
        String base = "/api/v1/applications/{appId}/streaming";
        router.get("/api/v1/applications", r -> Response.json(List.of(application())))
                .get("/api/v1/applications/{appId}", r -> Response.json(checkApp(r, this::application)))
                .get(base + "/statistics", r -> Response.json(checkApp(r, this::statistics)))
                .get(base + "/receivers", r -> Response.json(checkApp(r, this::receivers)))
                .get(base + "/receivers/{streamId}", r -> Response.json(checkApp(r, () -> receiver(r.param("streamId")))))
                .get(base + "/batches", r -> Response.json(checkApp(r, () -> batches(r.queryParam("status")))))
                .get(base + "/batches/{batchId}", r -> Response.json(checkApp(r, () -> batch(r.param("batchId")))))
                .get(base + "/batches/{batchId}/operations",
                        r -> Response.json(checkApp(r, () -> operations(r.param("batchId")))))
                .get(base + "/batches/{batchId}/operations/{outputOpId}",
                        r -> Response.json(checkApp(r, () -> operation(r.param("batchId"), r.param("outputOpId")))));
    }

    private <T> T checkApp(Request r, java.util.function.Supplier<T> body) {
        String id = r.param("appId");
        if (!id.equals(app.id())) {
            throw new NotFoundException("unknown app: " + id + " (this driver serves " + app.id() + ")");
        }
        return body.get();
    }

    Map<String, Object> application() {
        long now = wallClock.getAsLong();
        var attempt = new LinkedHashMap<String, Object>();
        attempt.put("attemptId", String.valueOf(app.attempt()));
        attempt.put("startTime", formatDate(app.startTimeEpochMs()));
        attempt.put("lastUpdated", formatDate(now));
        attempt.put("duration", Math.max(0, now - app.startTimeEpochMs()));
        attempt.put("sluiceUser", app.user());
        attempt.put("completed", false);
        attempt.put("startTimeEpoch", app.startTimeEpochMs());
        attempt.put("lastUpdatedEpoch", now);
        var m = new LinkedHashMap<String, Object>();
        m.put("id", app.id());
        m.put("name", app.name());
        m.put("attempts", List.of(attempt));
        return m;
    }

    /** The seed's 14 statistics fields; the averages are over the retained completed batches. */
    Map<String, Object> statistics() {
        Snapshot s = listener.snapshot();
        List<BatchInfo> done = s.completed();
        int active = s.numActiveReceivers();
        var m = new LinkedHashMap<String, Object>();
        m.put("startTime", s.startTime().isPresent() ? Optional.of(formatDate(s.startTime().getAsLong())) : Optional.empty());
        m.put("batchDuration", s.batchDuration().toMillis());
        m.put("numReceivers", (long) s.numReceivers());
        m.put("numActiveReceivers", (long) active);
        m.put("numInactiveReceivers", (long) Math.max(0, s.numReceivers() - active));
        m.put("numTotalCompletedBatches", s.totalCompletedBatches());
        m.put("numRetainedCompletedBatches", (long) done.size());
        m.put("numActiveBatches", (long) (s.waiting().size() + s.running().size()));
        m.put("numProcessedRecords", s.totalProcessedRecords());
        m.put("numReceivedRecords", s.totalReceivedRecords());
        m.put("avgInputRate", done.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(done.stream().mapToDouble(b -> s.rate(b.numRecords())).average().orElse(0)));
        m.put("avgSchedulingDelay", average(done, BatchInfo::schedulingDelay));
        m.put("avgProcessingTime", average(done, BatchInfo::processingDelay));
        m.put("avgTotalDelay", average(done, BatchInfo::totalDelay));
        return m;
    }

    private static OptionalDouble average(List<BatchInfo> batches, java.util.function.Function<BatchInfo, OptionalLong> f) {
        return batches.stream().map(f).filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).average();
    }

    List<Map<String, Object>> receivers() {
        Snapshot s = listener.snapshot();
        var out = new ArrayList<Map<String, Object>>();
        for (int id : s.receiverStreams().keySet()) {
            out.add(receiver(s, id));
        }
        return out;
    }

    Map<String, Object> receiver(String streamIdText) {
        Snapshot s = listener.snapshot();
        int id;
        try {
            id = Integer.parseInt(streamIdText);
        } catch (NumberFormatException e) {
            throw new NotFoundException("unknown receiver: " + streamIdText + " (stream ids are integers)");
        }
        if (!s.receiverStreams().containsKey(id)) {
            throw new NotFoundException("unknown receiver: " + id + " (receivers: " + s.receiverStreams().keySet() + ")");
        }
        return receiver(s, id);
    }

    private static Map<String, Object> receiver(Snapshot s, int streamId) {
        ReceiverInfo info = s.receiverInfos().get(streamId);
        var rates = new ArrayList<List<Object>>();
        double sum = 0;
        for (long[] p : s.recordsPerBatch(streamId)) {
            double rate = s.rate(p[1]);
            rates.add(List.of(p[0], rate));
            sum += rate;
        }
        var m = new LinkedHashMap<String, Object>();
        m.put("streamId", streamId);
        m.put("streamName", info != null ? info.name() : s.receiverStreams().get(streamId));
        m.put("isActive", info == null ? Optional.empty() : Optional.of(info.active()));
        m.put("executorId", Optional.ofNullable(info == null ? null : info.executorId()));
        m.put("executorHost", Optional.ofNullable(info == null ? null : info.location()));
        boolean hasError = info != null && info.lastErrorTime() >= 0 && info.lastErrorMessage() != null
                && !info.lastErrorMessage().isEmpty();
        m.put("lastErrorTime", hasError ? Optional.of(formatDate(info.lastErrorTime())) : Optional.empty());
        m.put("lastErrorMessage", hasError ? Optional.of(info.lastErrorMessage()) : Optional.empty());
        m.put("lastError", hasError ? Optional.ofNullable(info.lastError()) : Optional.empty());
        m.put("avgEventRate", rates.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(sum / rates.size()));
        m.put("eventRates", rates);
        return m;
    }

    List<Map<String, Object>> batches(String status) {
        BatchStatus filter = null;
        if (status != null) {
            try {
                filter = BatchStatus.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new NotFoundException("unknown batch status: " + status + " (one of QUEUED, PROCESSING, COMPLETED)");
            }
        }
        var out = new ArrayList<Map<String, Object>>();
        for (BatchUiData b : listener.snapshot().retainedBatches()) {
            if (filter == null || b.status() == filter) {
                out.add(batchJson(b));
            }
        }
        return out;
    }

    /** One batch: the members of {@link #batches} plus {@code inputs}, what each input stream contributed. */
    Map<String, Object> batch(String batchIdText) {
        BatchUiData b = findBatch(batchIdText);
        var m = batchJson(b);
        Map<Integer, String> names = listener.snapshot().receiverStreams();
        var inputs = new ArrayList<Map<String, Object>>();
        for (var in : new java.util.TreeMap<>(b.info().streamIdToInputInfo()).values()) {
            var i = new LinkedHashMap<String, Object>();
            i.put("streamId", in.inputStreamId());
            i.put("streamName", Optional.ofNullable(names.get(in.inputStreamId())));
            i.put("numRecords", in.numRecords());
            var meta = new LinkedHashMap<String, Object>();
            in.metadata().forEach((k, v) -> meta.put(k, String.valueOf(v)));
            i.put("metadata", meta);
            inputs.add(i);
        }
        m.put("inputs", inputs);
        return m;
    }

    private BatchUiData findBatch(String batchIdText) {
        long id;
        try {
            id = Long.parseLong(batchIdText);
        } catch (NumberFormatException e) {
            throw new NotFoundException("unknown batch: " + batchIdText + " (a batch id is its batch time in ms)");
        }
        return listener.snapshot().batch(id).orElseThrow(() ->
                new NotFoundException("unknown batch: " + id + " (not submitted, or no longer retained)"));
    }

    private Map<String, Object> batchJson(BatchUiData b) {
        BatchInfo info = b.info();
        var ops = info.outputOperationInfos().values();
        long failed = ops.stream().filter(o -> o.failureReason() != null).count();
        long completedOk = ops.stream().filter(o -> o.endTime() >= 0 && o.failureReason() == null).count();
        long activeOps = ops.stream().filter(o -> o.startTime() >= 0 && o.endTime() < 0).count();
        var m = new LinkedHashMap<String, Object>();
        m.put("batchId", b.batchId());
        m.put("batchTime", formatDate(info.batchTime().milliseconds()));
        m.put("status", b.status().name());
        m.put("batchDuration", listener.batchDuration().toMillis());
        m.put("inputSize", info.numRecords());
        m.put("schedulingDelay", info.schedulingDelay());
        m.put("processingTime", info.processingDelay());
        m.put("totalDelay", info.totalDelay());
        m.put("numActiveOutputOps", activeOps);
        m.put("numCompletedOutputOps", completedOk);
        m.put("numFailedOutputOps", failed);
        m.put("numTotalOutputOps", (long) ops.size());
        m.put("firstFailureReason", ops.stream().map(OutputOperationInfo::failureReason)
                .filter(java.util.Objects::nonNull).findFirst());
        return m;
    }

    List<Map<String, Object>> operations(String batchIdText) {
        var out = new ArrayList<Map<String, Object>>();
        for (OutputOperationInfo op : findBatch(batchIdText).info().outputOperationInfos().values()) {
            out.add(operationJson(op));
        }
        return out;
    }

    Map<String, Object> operation(String batchIdText, String opIdText) {
        BatchUiData b = findBatch(batchIdText);
        OutputOperationInfo op = null;
        try {
            op = b.info().outputOperationInfos().get(Integer.parseInt(opIdText));
        } catch (NumberFormatException e) {
            // unknown below
        }
        if (op == null) {
            throw new NotFoundException("unknown output operation: " + opIdText + " of batch " + b.batchId()
                    + " (operations: " + b.info().outputOperationInfos().keySet() + ")");
        }
        return operationJson(op);
    }

    private static Map<String, Object> operationJson(OutputOperationInfo op) {
        var m = new LinkedHashMap<String, Object>();
        m.put("outputOpId", op.id());
        m.put("name", op.name());
        m.put("description", op.description());
        m.put("startTime", op.startTime() >= 0 ? Optional.of(formatDate(op.startTime())) : Optional.empty());
        m.put("endTime", op.endTime() >= 0 ? Optional.of(formatDate(op.endTime())) : Optional.empty());
        m.put("duration", op.duration());
        m.put("failureReason", op.failure());
        m.put("jobIds", List.of()); // jobs are not tracked per output operation yet
        return m;
    }

}
