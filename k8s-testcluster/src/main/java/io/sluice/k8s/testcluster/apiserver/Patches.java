package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The three patch types of the API server: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge
 * patch. The strategic one is the subset kubectl's {@code apply}/{@code patch} produce: lists of objects are merged by
 * their merge key ({@code name}, or {@code containerPort}, {@code mountPath}, {@code uid}, {@code type}, {@code ip}),
 * {@code $patch: delete|replace} and {@code $setElementOrder} are honoured, other directives ignored.
 */
final class Patches {
  static final String JSON = "application/json-patch+json";
  static final String MERGE = "application/merge-patch+json";
  static final String STRATEGIC = "application/strategic-merge-patch+json";
  static final String APPLY = "application/apply-patch+yaml";

  private static final List<String> MERGE_KEYS = List.of("name", "containerPort", "mountPath", "devicePath", "uid",
      "type", "ip", "port", "topologyKey");

  private Patches() {}

  static ObjectNode apply(ObjectNode current, String contentType, String body) {
    String ct = contentType == null ? JSON : contentType.split(";")[0].trim();
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(body);
    } catch (Exception e) {
      throw ApiException.badRequest("the body of the request could not be decoded as JSON: " + e.getMessage());
    }
    JsonNode out = switch (ct) {
      case JSON -> {
        try {
          yield JsonPatch.apply(patch, current.deepCopy());
        } catch (RuntimeException e) {
          throw new ApiException(422, "Invalid", "the JSON patch could not be applied: " + e.getMessage());
        }
      }
      case MERGE -> merge(current.deepCopy(), patch, false);
      case STRATEGIC -> merge(current.deepCopy(), patch, true);
      case APPLY -> throw new ApiException(415, "UnsupportedMediaType",
          "server-side apply is not supported by the stand-in API server; use client-side apply");
      default -> throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown "
          + "format - accepted media types include: " + JSON + ", " + MERGE + ", " + STRATEGIC);
    };
    if (!(out instanceof ObjectNode o)) {
      throw new ApiException(422, "Invalid", "the patched object is not a JSON object");
    }
    return o;
  }

  /** RFC 7386, or with {@code strategic} the strategic-merge rules above. */
  static JsonNode merge(JsonNode target, JsonNode patch, boolean strategic) {
    if (!patch.isObject()) {
      return patch;
    }
    if (strategic && "replace".equals(patch.path("$patch").asText())) {
      ObjectNode copy = ((ObjectNode) patch).deepCopy();
      copy.remove("$patch");
      return copy;
    }
    ObjectNode t = target != null && target.isObject() ? (ObjectNode) target : Json.MAPPER.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (strategic && k.startsWith("$")) {
        continue;
      }
      if (v.isNull()) {
        t.remove(k);
      } else if (strategic && v.isArray() && t.get(k) instanceof ArrayNode cur && mergeKey(v, cur) != null) {
        t.set(k, mergeList(cur, (ArrayNode) v, mergeKey(v, cur), patch.get("$setElementOrder/" + k)));
      } else if (v.isObject()) {
        t.set(k, merge(t.get(k), v, strategic));
      } else {
        t.set(k, v);
      }
    }
    return t;
  }

  private static String mergeKey(JsonNode patchList, ArrayNode current) {
    for (String key : MERGE_KEYS) {
      boolean all = patchList.size() > 0;
      for (JsonNode e : patchList) {
        all &= e.isObject() && e.has(key);
      }
      boolean cur = true;
      for (JsonNode e : current) {
        cur &= e.isObject() && e.has(key);
      }
      if (all && cur) {
        return key;
      }
    }
    return null;
  }

  private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, String key, JsonNode order) {
    ArrayNode out = current.deepCopy();
    for (JsonNode p : patch) {
      String id = p.path(key).asText();
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).path(key).asText().equals(id)) {
          at = i;
        }
      }
      if ("delete".equals(p.path("$patch").asText())) {
        if (at >= 0) {
          out.remove(at);
        }
      } else if (at >= 0) {
        out.set(at, merge(out.get(at), p, true));
      } else {
        out.add(merge(null, p, true));
      }
    }
    if (order != null && order.isArray()) {
      ArrayNode sorted = Json.MAPPER.createArrayNode();
      for (JsonNode o : order) {
        for (JsonNode e : out) {
          if (e.path(key).asText().equals(o.path(key).asText())) {
            sorted.add(e);
          }
        }
      }
      for (JsonNode e : out) {
        boolean listed = false;
        for (JsonNode s : sorted) {
          listed |= s == e;
        }
        if (!listed) {
          sorted.add(e);
        }
      }
      return sorted;
    }
    return out;
  }
}
