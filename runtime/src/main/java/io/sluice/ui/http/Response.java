package io.sluice.ui.http;

import io.sluice.ui.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete HTTP response: status, content type, body and any extra headers. */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json; charset=utf-8";

    public static Response json(Object value) {
        return json(200, value);
    }

    public static Response json(int status, Object value) {
        return new Response(status, JSON, Json.write(value).getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static Response text(int status, String contentType, String body) {
        return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The JSON error body every endpoint uses: {@code {"status": 404, "error": "Not Found", "message": ...}}. */
    public static Response error(int status, String reason, String message) {
        var body = new LinkedHashMap<String, Object>();
        body.put("status", status);
        body.put("error", reason);
        body.put("message", message);
        return json(status, body);
    }

    public Response withHeader(String name, String value) {
        var h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(h));
    }
}
