package io.sluice.ui.http;

import java.util.List;
import java.util.Map;

/**
 * One routed HTTP request: its method, decoded path, the values of the route's {@code {name}} segments and the
 * decoded query parameters.
 */
public record Request(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query) {

    /** The value of a path segment named in the route template; fails if the route has no such segment. */
    public String param(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalArgumentException("route has no path parameter {" + name + "}: " + path);
        }
        return v;
    }

    /** The first value of a query parameter, or null. */
    public String queryParam(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
