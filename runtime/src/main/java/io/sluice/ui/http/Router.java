package io.sluice.ui.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Maps GET paths to handlers. A template is a path whose segments are literals or {@code {name}} placeholders
 * (one whole segment each), e.g. {@code /api/v1/applications/{appId}/streaming/batches/{batchId}}. Literal routes
 * win over placeholders when both match; a trailing slash is ignored. Routes may be added while the server runs
 * (the UI pages mount theirs later).
 */
public final class Router {
    private record Route(String template, String[] segments, Handler handler) {
    }

    /** The outcome of routing a path: a handler with its path parameters, or nothing matched. */
    public record Match(Handler handler, Map<String, String> params) {
    }

    private final List<Route> routes = new CopyOnWriteArrayList<>();

    public Router get(String template, Handler handler) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("a route template starts with '/': " + template);
        }
        String[] segments = split(template);
        for (var r : routes) {
            if (String.join("/", r.segments()).equals(String.join("/", segments))) {
                throw new IllegalArgumentException("route " + template + " is already mapped");
            }
        }
        routes.add(new Route(template, segments, handler));
        return this;
    }

    private static String[] split(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.equals("/") ? new String[0] : p.substring(1).split("/", -1);
    }

    /** The best match for a decoded path, or null. */
    public Match route(String path) {
        String[] parts = split(path);
        Match best = null;
        int bestLiterals = -1;
        for (var r : routes) {
            if (r.segments().length != parts.length) {
                continue;
            }
            var params = new LinkedHashMap<String, String>();
            int literals = 0;
            boolean ok = true;
            for (int i = 0; i < parts.length && ok; i++) {
                String s = r.segments()[i];
                if (s.length() > 2 && s.startsWith("{") && s.endsWith("}")) {
                    if (parts[i].isEmpty()) {
                        ok = false;
                    } else {
                        params.put(s.substring(1, s.length() - 1), parts[i]);
                    }
                } else if (s.equals(parts[i])) {
                    literals++;
                } else {
                    ok = false;
                }
            }
            if (ok && literals > bestLiterals) {
                best = new Match(r.handler(), Map.copyOf(params));
                bestLiterals = literals;
            }
        }
        return best;
    }

    /** The templates, in the order they were added (for an index page and tests). */
    public List<String> templates() {
        var t = new ArrayList<String>();
        routes.forEach(r -> t.add(r.template()));
        return t;
    }
}
