package io.sluice.ui;

import io.sluice.conf.SluiceConf;
import io.sluice.metrics.ExecutorMetrics;
import io.sluice.metrics.JvmMetrics;
import io.sluice.metrics.MetricRegistry;
import io.sluice.metrics.MetricsEndpoints;
import io.sluice.metrics.StreamingMetrics;
import io.sluice.ui.http.HttpServer;
import io.sluice.ui.http.Response;
import io.sluice.ui.http.Router;
import io.sluice.ui.rest.StreamingRestApi;
import io.sluice.ui.web.StreamingPages;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The driver's HTTP server for one streaming application: the REST API under {@code /api/v1}, the metrics under
 * {@code /metrics/json} and {@code /metrics/prometheus}, and the web UI ({@code /streaming/}, see
 * {@link StreamingPages}), all fed by one {@link StreamingJobProgressListener}.
 *
 * <pre>{@code
 * var ui = UiServer.start(conf, appId, listener, executors, System::currentTimeMillis); // bound on sluice.ui.port (or the next free one)
 * ui.url();     // http://<sluice.driver.host>:4040; the web UI is at /streaming/
 * ui.close();   // idempotent
 * }</pre>
 */
public final class UiServer implements AutoCloseable {
    private final HttpServer server;
    private final Router router;
    private final MetricRegistry metrics;

    private UiServer(HttpServer server, Router router, MetricRegistry metrics) {
        this.server = server;
        this.router = router;
        this.metrics = metrics;
    }

    /** Binds the server as {@code sluice.ui.port} and {@code sluice.port.maxRetries} say; fails if no port is free. */
    public static UiServer start(SluiceConf conf, StreamingRestApi.ApplicationInfo app, StreamingJobProgressListener listener,
                                 Supplier<List<ExecutorMetrics.Executor>> executors, LongSupplier wallClock) {
        var registry = new MetricRegistry(Map.of("app_id", app.id(), "app_name", app.name()));
        registry.register(new StreamingMetrics(app.id(), app.name(), listener));
        registry.register(new JvmMetrics(app.id(), "driver"));
        registry.register(new ExecutorMetrics(app.id(), executors));
        var router = new Router();
        new StreamingRestApi(app, listener, wallClock).mount(router);
        MetricsEndpoints.mount(router, registry);
        new StreamingPages(UiServer.class.getClassLoader()).mount(router);
        // an index of the resources
        router.get("/api/v1", r -> Response.json(Map.of("application", app.id(), "resources", router.templates())));
        var settings = new HttpServer.Settings(app.id(), "ui", "0.0.0.0", conf.get(SluiceConf.DRIVER_HOST),
                conf.get(SluiceConf.UI_PORT), conf.get(SluiceConf.PORT_MAX_RETRIES), 2, 64 * 1024, Duration.ofSeconds(10));
        return new UiServer(HttpServer.start(settings, router), router, registry);
    }

    public URI url() {
        return server.url();
    }

    public int port() {
        return server.port();
    }

    /** Where the UI pages add their routes. */
    public Router router() {
        return router;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    @Override
    public void close() {
        server.close();
    }
}
