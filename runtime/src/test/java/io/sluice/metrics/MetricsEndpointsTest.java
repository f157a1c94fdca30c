package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import io.sluice.ui.HttpGet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /metrics/json} and {@code /metrics/prometheus} against a running job: three one-second batches of 3, 0 and 5
 * records on a manual clock (so every delay is 0 and every time is the batch time), two batches retained.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsEndpointsTest {
    /** One sample line of the text format 0.0.4: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*})? "
                    + "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?|NaN|[+-]Inf)");
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|histogram|summary|untyped)");

    private StreamingTestKit.Harness harness;
    private HttpGet http;
    private String appId;

    @BeforeAll
    void runThreeBatches() {
        harness = StreamingTestKit.create().conf(SluiceConf.UI_RETAINED_BATCHES.name(), "2").open();
        StreamingContext ssc = harness.context();
        var input = new TestInputDStream<>(ssc, List.of(List.of(1, 2, 3), List.<Integer>of(), List.of(4, 5, 6, 7, 8)), 2);
        input.foreachRDD(ds -> ds.count());
        harness.runBatches(3);
        http = new HttpGet(ssc.uiServer().orElseThrow().url());
        appId = ssc.context().appId();
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void metricsJsonHasEverySeedStreamingGaugeWithTheJobsValues() {
        var root = http.object("/metrics/json");
        assertThat(root).containsEntry("version", "4.0.0").containsKeys("counters", "histograms", "meters", "timers");
        @SuppressWarnings("unchecked")
        var gauges = (Map<String, Map<String, Object>>) root.get("gauges");
        String prefix = appId + ".driver.sluice-test.StreamingMetrics.streaming.";
        for (String g : StreamingMetrics.GAUGES) {
            assertThat(gauges).as(g).containsKey(prefix + g);
        }
        assertThat(StreamingMetrics.GAUGES).hasSize(18);
        var expected = Map.ofEntries(
                Map.entry("lastCompletedBatch_processingDelay", 0L),
                Map.entry("lastCompletedBatch_processingEndTime", 3000L),
                Map.entry("lastCompletedBatch_processingStartTime", 3000L),
                Map.entry("lastCompletedBatch_schedulingDelay", 0L),
                Map.entry("lastCompletedBatch_submissionTime", 3000L),
                Map.entry("lastCompletedBatch_totalDelay", 0L),
                Map.entry("lastReceivedBatch_processingEndTime", 3000L),
                Map.entry("lastReceivedBatch_processingStartTime", 3000L),
                Map.entry("lastReceivedBatch_records", 5L),
                Map.entry("lastReceivedBatch_submissionTime", 3000L),
                Map.entry("receivers", 0L),
                Map.entry("retainedCompletedBatches", 2L),
                Map.entry("runningBatches", 0L),
                Map.entry("totalCompletedBatches", 3L),
                Map.entry("totalProcessedRecords", 8L),
                Map.entry("totalReceivedRecords", 8L),
                Map.entry("unprocessedBatches", 0L),
                Map.entry("waitingBatches", 0L));
        expected.forEach((g, v) -> assertThat(gauges.get(prefix + g)).as(g).containsEntry("value", v));
        assertThat((Long) gauges.get(appId + ".driver.jvm.heap.used").get("value")).isPositive();
        assertThat((Long) gauges.get(appId + ".driver.jvm.threads.count").get("value")).isPositive();
        assertThat(gauges).containsEntry(appId + ".driver.executors.registered", Map.of("value", 0L));
    }

    @Test
    void prometheusIsValidTextFormatWithLabelledStreamingAndJvmMetrics() {
        var r = http.get("/metrics/prometheus");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        var helped = new LinkedHashSet<String>();
        var typed = new HashMap<String, String>();
        var values = new HashMap<String, String>();
        String[] lines = r.body().split("\n", -1);
        assertThat(lines[lines.length - 1]).as("the body ends with a line feed").isEmpty();
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            var h = HELP.matcher(line);
            var t = TYPE.matcher(line);
            var s = SAMPLE.matcher(line);
            if (h.matches()) {
                assertThat(helped.add(h.group(1))).as("one HELP per family: " + line).isTrue();
                assertThat(typed).as("HELP before TYPE: " + line).doesNotContainKey(h.group(1));
            } else if (t.matches()) {
                assertThat(helped).as("TYPE after HELP: " + line).contains(t.group(1));
                assertThat(typed.put(t.group(1), t.group(2))).as("one TYPE per family: " + line).isNull();
            } else if (s.matches()) {
                String family = s.group(1);
                assertThat(typed).as("TYPE before samples: " + line).containsKey(family);
                values.put(family + (s.group(2) == null ? "" : s.group(2)), s.group(3));
            } else {
                throw new AssertionError("not a line of the text format 0.0.4: " + line);
            }
        }
        String labels = "{app_id=\"" + appId + "\",app_name=\"sluice-test\"}";
        assertThat(values).containsEntry("sluice_streaming_totalCompletedBatches" + labels, "3")
                .containsEntry("sluice_streaming_totalReceivedRecords" + labels, "8")
                .containsEntry("sluice_streaming_lastReceivedBatch_records" + labels, "5")
                .containsEntry("sluice_streaming_lastCompletedBatch_processingDelay" + labels, "0");
        assertThat(typed).containsEntry("sluice_streaming_totalCompletedBatches", "gauge")
                .containsEntry("jvm_gc_collections_total", "counter")
                .containsEntry("jvm_memory_heap_used_bytes", "gauge");
        assertThat(values.keySet()).anyMatch(k -> k.equals("jvm_memory_heap_used_bytes{app_id=\"" + appId
                + "\",app_name=\"sluice-test\",executor_id=\"driver\"}"));
        for (String g : StreamingMetrics.GAUGES) {
            assertThat(typed).containsKey("sluice_streaming_" + g);
        }
    }
}
