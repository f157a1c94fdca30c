package io.sluice.metrics;

import io.sluice.ui.http.Response;
import io.sluice.ui.http.Router;

/** Mounts {@code /metrics/json} and {@code /metrics/prometheus} for a registry. */
public final class MetricsEndpoints {
    private MetricsEndpoints() {
    }

    public static void mount(Router router, MetricRegistry registry) {
        router.get("/metrics/json", r -> Response.text(200, Response.JSON, MetricsJson.write(registry.collect())))
                .get("/metrics/prometheus",
                        r -> Response.text(200, PrometheusText.CONTENT_TYPE, PrometheusText.write(registry.collect())));
    }
}
