package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label selectors ({@code a=b, a==b, a!=b, a, !a, a in (x,y), a notin (x,y)}) and field selectors
 * ({@code f=v, f==v, f!=v} on a dotted field such as {@code spec.nodeName}), evaluated on objects as JSON, as the API
 * server evaluates them for lists and watches.
 */
final class Selector {
  private static final Pattern SET = Pattern.compile("\\s*([\\w./-]+)\\s+(in|notin)\\s+\\(([^)]*)\\)\\s*");
  private static final Pattern OP = Pattern.compile("\\s*(!?)([\\w./-]+)\\s*(?:(==|=|!=)\\s*([\\w./:-]*))?\\s*");

  private Selector() {}

  /** Matches everything when both selectors are null or empty. */
  static Predicate<JsonNode> of(String labelSelector, String fieldSelector) {
    List<Predicate<JsonNode>> all = new ArrayList<>();
    for (String req : split(labelSelector)) {
      all.add(label(req));
    }
    for (String req : split(fieldSelector)) {
      all.add(field(req));
    }
    return o -> all.stream().allMatch(p -> p.test(o));
  }

  /** Splits on commas outside parentheses. */
  private static List<String> split(String selector) {
    List<String> out = new ArrayList<>();
    if (selector == null || selector.isBlank()) {
      return out;
    }
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        out.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    out.add(selector.substring(start));
    out.removeIf(String::isBlank);
    return out;
  }

  private static Predicate<JsonNode> label(String req) {
    Matcher set = SET.matcher(req);
    if (set.matches()) {
      String key = set.group(1);
      Set<String> values = Set.copyOf(List.of(set.group(3).trim().split("\\s*,\\s*")));
      boolean in = set.group(2).equals("in");
      return o -> {
        JsonNode v = o.path("metadata").path("labels").get(key);
        return in ? v != null && values.contains(v.asText()) : v == null || !values.contains(v.asText());
      };
    }
    Matcher m = OP.matcher(req);
    if (!m.matches() || (!m.group(1).isEmpty() && m.group(3) != null)) {
      throw ApiException.badRequest("unable to parse requirement: " + req.trim());
    }
    String key = m.group(2);
    if (m.group(3) == null) {
      boolean negate = !m.group(1).isEmpty();
      return o -> o.path("metadata").path("labels").has(key) != negate;
    }
    String value = m.group(4);
    boolean equal = !m.group(3).equals("!=");
    return o -> {
      JsonNode v = o.path("metadata").path("labels").get(key);
      return equal ? v != null && v.asText().equals(value) : v == null || !v.asText().equals(value);
    };
  }

  private static Predicate<JsonNode> field(String req) {
    Matcher m = OP.matcher(req);
    if (!m.matches() || m.group(3) == null || !m.group(1).isEmpty()) {
      throw ApiException.badRequest("invalid selector: '" + req.trim() + "'; can't understand '" + req.trim() + "'");
    }
    String[] path = m.group(2).split("\\.");
    String value = m.group(4);
    boolean equal = !m.group(3).equals("!=");
    return o -> {
      JsonNode cur = o;
      for (String p : path) {
        cur = cur.path(p);
      }
      String actual = cur.isMissingNode() || cur.isNull() ? "" : cur.asText();
      return equal == actual.equals(value);
    };
  }
}
