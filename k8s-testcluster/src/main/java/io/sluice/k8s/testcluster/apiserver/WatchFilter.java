package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;

/**
 * Turns the mock's raw watch events into what kube-apiserver sends a watcher: a watch from resourceVersion N does not
 * replay objects that existed at N; selectors the mock cannot evaluate are applied here, and an object that stops
 * (starts) matching them is sent as DELETED (ADDED); for kubectl's {@code get -w} the object becomes a Table row.
 */
final class WatchFilter {
  private final Predicate<JsonNode> selector;
  private final long sinceResourceVersion;
  private final UnaryOperator<ObjectNode> transform;
  private final Set<String> matching = new HashSet<>();
  private final ToLongFunction<String> removalVersion;

  /**
   * @param removalVersion the resourceVersion of an object's removal by uid (the mock's DELETED event carries the
   *     version the object had)
   */
  WatchFilter(Predicate<JsonNode> selector, long sinceResourceVersion, UnaryOperator<ObjectNode> transform,
      ToLongFunction<String> removalVersion) {
    this.selector = selector;
    this.sinceResourceVersion = sinceResourceVersion;
    this.transform = transform;
    this.removalVersion = removalVersion;
  }

  /** The DELETED event for an object removed before the watch started (but after its resourceVersion), or null. */
  synchronized String removedBefore(String objectJson) {
    ObjectNode object = Json.parse(objectJson);
    if (!selector.test(object)) {
      return null;
    }
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.put("type", "DELETED");
    event.set("object", transform.apply(object));
    return event.toString();
  }

  /** The event to send for the mock's event, or null to send nothing. */
  synchronized String apply(String rawEvent) {
    ObjectNode event = Json.parse(rawEvent);
    String type = event.path("type").asText();
    if (!(event.get("object") instanceof ObjectNode object)) {
      return rawEvent;
    }
    String key = object.path("metadata").path("namespace").asText("") + "/"
        + object.path("metadata").path("name").asText();
    boolean matches = selector.test(object);
    boolean was = matching.contains(key);
    long rv = parseLong(object.path("metadata").path("resourceVersion").asText("0"));
    String out;
    if (type.equals("ADDED") && sinceResourceVersion > 0 && rv <= sinceResourceVersion) {
      if (matches) {
        matching.add(key); // the watcher listed it already
      }
      return null;
    }
    if (type.equals("DELETED")) {
      long removedAt = removalVersion.applyAsLong(object.path("metadata").path("uid").asText());
      if (removedAt > 0) {
        Json.metadata(object).put("resourceVersion", String.valueOf(removedAt));
      }
      matching.remove(key);
      out = was || matches ? "DELETED" : null;
    } else if (type.equals("ADDED") || type.equals("MODIFIED")) {
      if (matches) {
        matching.add(key);
        out = was ? "MODIFIED" : "ADDED";
      } else {
        matching.remove(key);
        out = was ? "DELETED" : null;
      }
    } else {
      out = type;
    }
    if (out == null) {
      return null;
    }
    event.put("type", out);
    event.set("object", transform.apply(object));
    return event.toString();
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
