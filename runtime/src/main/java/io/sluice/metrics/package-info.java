/**
 * Metrics of one application: a {@link io.sluice.metrics.MetricRegistry} (one per driver, no global state) of
 * {@link io.sluice.metrics.MetricSource}s read at scrape time — the seed's streaming gauges
 * ({@link io.sluice.metrics.StreamingMetrics}), the driver's JVM ({@link io.sluice.metrics.JvmMetrics}) and the
 * executors' heartbeat figures ({@link io.sluice.metrics.ExecutorMetrics}) — written as Dropwizard-style JSON
 * ({@code /metrics/json}) or in the Prometheus text format ({@code /metrics/prometheus}).
 */
package io.sluice.metrics;
