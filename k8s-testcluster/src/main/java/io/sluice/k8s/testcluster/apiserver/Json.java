package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** JSON helpers over Jackson's tree model (the stand-in works on objects as JSON, like the API server does). */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode parse(String json) {
    try {
      JsonNode n = MAPPER.readTree(json);
      if (!(n instanceof ObjectNode o)) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return o;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode metadata(ObjectNode object) {
    JsonNode m = object.get("metadata");
    return m instanceof ObjectNode o ? o : object.putObject("metadata");
  }

  static ObjectNode object(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    return n instanceof ObjectNode o ? o : parent.putObject(field);
  }

  static String text(JsonNode n, String... path) {
    JsonNode cur = n;
    for (String p : path) {
      cur = cur.path(p);
    }
    return cur.isMissingNode() || cur.isNull() ? null : cur.asText();
  }

  /** RFC 3339 time, seconds precision, as Kubernetes writes its timestamps. */
  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String time(Instant t) {
    return t.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A meta/v1 Status object, as the API server answers a failed request. */
  static ObjectNode status(int code, String reason, String message) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("kind", "Status").put("apiVersion", "v1");
    o.putObject("metadata");
    o.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return o;
  }
}
