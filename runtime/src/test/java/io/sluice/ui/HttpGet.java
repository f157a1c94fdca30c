package io.sluice.ui;

import io.sluice.ui.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A test client for the driver's HTTP server: GETs (or other methods) with timeouts, JSON bodies parsed. */
public final class HttpGet {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    public HttpGet(URI base) {
        this.base = base;
    }

    public HttpResponse<String> send(String method, String path) {
        var req = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public HttpResponse<String> get(String path) {
        return send("GET", path);
    }

    /** GETs {@code path}, expects 200 with a JSON body and returns it parsed. */
    public Object json(String path) {
        var r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " returned " + r.statusCode() + ": " + r.body());
        }
        if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            throw new AssertionError("GET " + path + " is not JSON: " + r.headers().map());
        }
        return Json.parse(r.body());
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> object(String path) {
        return (Map<String, Object>) json(path);
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> array(String path) {
        return (List<Map<String, Object>>) json(path);
    }
}
