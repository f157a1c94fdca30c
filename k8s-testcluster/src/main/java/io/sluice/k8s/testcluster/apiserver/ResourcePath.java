package io.sluice.k8s.testcluster.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request path of the resource API: {@code /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]} or the same under
 * {@code /apis/GROUP/VERSION}, with its query parameters.
 */
record ResourcePath(String group, String version, String namespace, String plural, String name, String subresource,
    Map<String, String> query) {

  /** The path's parts, or null when it is not a resource path. */
  static ResourcePath parse(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    Map<String, String> query = query(q < 0 ? "" : pathAndQuery.substring(q + 1));
    String[] s = path.replaceAll("/+$", "").split("/");
    String group;
    String version;
    int i;
    if (s.length >= 4 && s[1].equals("api")) {
      group = "";
      version = s[2];
      i = 3;
    } else if (s.length >= 5 && s[1].equals("apis")) {
      group = s[2];
      version = s[3];
      i = 4;
    } else {
      return null;
    }
    int n = s.length - i;
    String ns = null;
    if (n >= 3 && s[i].equals("namespaces") && !(n == 3 && (s[i + 2].equals("status") || s[i + 2].equals("finalize")))) {
      ns = s[i + 1];
      i += 2;
      n -= 2;
    }
    if (n < 1 || n > 3) {
      return null;
    }
    return new ResourcePath(group, version, ns, s[i], n >= 2 ? s[i + 1] : null, n == 3 ? s[i + 2] : null, query);
  }

  static Map<String, String> query(String q) {
    Map<String, String> m = new LinkedHashMap<>();
    if (q == null || q.isEmpty()) {
      return m;
    }
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      m.put(k, v);
    }
    return m;
  }

  boolean isWatch() {
    String w = query.get("watch");
    return "true".equals(w) || "1".equals(w);
  }

  /** The RBAC verb of a request with this path and HTTP method. */
  String verb(String method) {
    return switch (method) {
      case "GET" -> name == null ? (isWatch() ? "watch" : "list") : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> method.toLowerCase();
    };
  }
}
