package io.sluice.metrics;

import io.sluice.ui.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes samples in the shape of Dropwizard's metrics servlet (what Spark's {@code /metrics/json} returns):
 * {@code {"version":"4.0.0","gauges":{"<key>":{"value":...},...},"counters":{},"histograms":{},"meters":{},"timers":{}}},
 * keys sorted. Every Sluice metric is read at scrape time, so all of them, counters included, are gauges here.
 */
public final class MetricsJson {
    private MetricsJson() {
    }

    public static String write(List<Sample> samples) {
        var gauges = new TreeMap<String, Object>();
        for (Sample s : samples) {
            gauges.put(s.key(), Map.of("value", s.value()));
        }
        var root = new LinkedHashMap<String, Object>();
        root.put("version", "4.0.0");
        root.put("gauges", gauges);
        root.put("counters", Map.of());
        root.put("histograms", Map.of());
        root.put("meters", Map.of());
        root.put("timers", Map.of());
        return Json.write(root);
    }
}
