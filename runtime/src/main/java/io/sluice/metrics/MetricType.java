package io.sluice.metrics;

/** The kinds of metric Sluice exposes, with their Prometheus {@code # TYPE} names. */
public enum MetricType {
    /** A value that goes up and down. */
    GAUGE("gauge"),
    /** A value that only goes up (until the process restarts). */
    COUNTER("counter");

    private final String prometheusName;

    MetricType(String prometheusName) {
        this.prometheusName = prometheusName;
    }

    public String prometheusName() {
        return prometheusName;
    }
}
