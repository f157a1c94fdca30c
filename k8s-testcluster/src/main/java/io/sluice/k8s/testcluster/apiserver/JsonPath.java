package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Kubernetes JSONPath that printer columns use: {@code .a.b}, {@code .a[0].b} and filters such as
 * {@code .status.conditions[?(@.type=="Ready")].status} (the first match).
 */
final class JsonPath {
  private static final Pattern STEP =
      Pattern.compile("\\.([^.\\[]+)|\\[(\\d+)]|\\[\\?\\(@\\.([\\w.-]+)\\s*==\\s*[\"']([^\"']*)[\"']\\)]");

  private JsonPath() {}

  static JsonNode read(JsonNode root, String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1);
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    JsonNode cur = root;
    Matcher m = STEP.matcher(p);
    int at = 0;
    while (at < p.length()) {
      if (!m.find(at) || m.start() != at) {
        return MissingNode.getInstance();
      }
      if (m.group(1) != null) {
        cur = cur.path(m.group(1));
      } else if (m.group(2) != null) {
        cur = cur.path(Integer.parseInt(m.group(2)));
      } else {
        JsonNode found = MissingNode.getInstance();
        for (JsonNode e : cur) {
          if (m.group(4).equals(e.path(m.group(3)).asText(null))) {
            found = e;
            break;
          }
        }
        cur = found;
      }
      at = m.end();
    }
    return cur;
  }
}
