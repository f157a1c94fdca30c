package io.sluice.metrics;

import java.util.Map;

/**
 * One metric value at scrape time, named twice: {@code key} is its dotted name in {@code /metrics/json}
 * (e.g. {@code <appId>.driver.<appName>.StreamingMetrics.streaming.totalCompletedBatches}); {@code family} and
 * {@code labels} name it in {@code /metrics/prometheus} (e.g. {@code sluice_streaming_totalCompletedBatches}
 * with {@code app_id}, {@code app_name}). Samples of one family share its type and help.
 */
public record Sample(String key, String family, MetricType type, String help, Map<String, String> labels, Number value) {
    public Sample {
        if (!PrometheusText.isValidName(family)) {
            throw new IllegalArgumentException("not a valid Prometheus metric name: " + family);
        }
        labels = Map.copyOf(labels);
    }

    public static Sample gauge(String key, String family, String help, Map<String, String> labels, Number value) {
        return new Sample(key, family, MetricType.GAUGE, help, labels, value);
    }

    public static Sample counter(String key, String family, String help, Map<String, String> labels, Number value) {
        return new Sample(key, family, MetricType.COUNTER, help, labels, value);
    }
}
