package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side {@code meta.k8s.io/v1} Tables, which kubectl asks for on {@code get}: a custom resource's columns come
 * from its CRD's {@code additionalPrinterColumns} (as kube-apiserver's CRD table convertor does); pods, nodes,
 * namespaces, services and config maps get the columns kube-apiserver prints for them; anything else Name and Age.
 */
final class TableRenderer {

  private record Column(String name, String type, int priority, Function<JsonNode, JsonNode> value) {}

  private TableRenderer() {}

  /**
   * @param items the listed objects (or the one object)
   * @param crd the CRD of a custom resource, or null for a built-in resource
   * @param includeObject "Object" to embed whole objects in the rows, otherwise their metadata only
   */
  static ObjectNode render(ResourceType type, ObjectNode crd, List<JsonNode> items, String resourceVersion,
      String includeObject) {
    List<Column> cols = columns(type, crd);
    ObjectNode t = Json.MAPPER.createObjectNode();
    t.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode md = t.putObject("metadata");
    if (resourceVersion != null) {
      md.put("resourceVersion", resourceVersion);
    }
    ArrayNode defs = t.putArray("columnDefinitions");
    for (Column c : cols) {
      defs.addObject().put("name", c.name()).put("type", c.type()).put("format", c.name().equals("Name") ? "name" : "")
          .put("description", "").put("priority", c.priority());
    }
    ArrayNode rows = t.putArray("rows");
    for (JsonNode it : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Column c : cols) {
        JsonNode v = c.value().apply(it);
        if (v == null || v.isMissingNode()) {
          cells.addNull();
        } else {
          cells.add(v);
        }
      }
      if ("Object".equals(includeObject)) {
        row.set("object", it);
      } else if (!"None".equals(includeObject)) {
        ObjectNode partial = row.putObject("object");
        partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
        partial.set("metadata", it.path("metadata").deepCopy());
      }
    }
    return t;
  }

  private static List<Column> columns(ResourceType type, ObjectNode crd) {
    List<Column> cols = new ArrayList<>();
    cols.add(new Column("Name", "string", 0, o -> text(o.path("metadata").path("name").asText())));
    if (crd != null) {
      JsonNode printer = null;
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (v.path("name").asText().equals(type.version())) {
          printer = v.get("additionalPrinterColumns");
        }
      }
      if (printer == null || printer.isEmpty()) {
        cols.add(age());
      } else {
        for (JsonNode c : printer) {
          String colType = c.path("type").asText("string");
          String path = c.path("jsonPath").asText();
          cols.add(new Column(c.path("name").asText(), colType, c.path("priority").asInt(0),
              o -> printerCell(colType, JsonPath.read(o, path))));
        }
      }
      return cols;
    }
    switch (type.plural()) {
      case "pods" -> {
        cols.add(new Column("Ready", "string", 0, o -> text(PodColumns.ready(o))));
        cols.add(new Column("Status", "string", 0, o -> text(PodColumns.status(o))));
        cols.add(new Column("Restarts", "string", 0, o -> text(PodColumns.restarts(o))));
        cols.add(age());
        cols.add(new Column("IP", "string", 1, o -> text(o.path("status").path("podIP").asText("<none>"))));
        cols.add(new Column("Node", "string", 1, o -> text(o.path("spec").path("nodeName").asText("<none>"))));
        cols.add(new Column("Nominated Node", "string", 1, o -> text("<none>")));
        cols.add(new Column("Readiness Gates", "string", 1, o -> text("<none>")));
      }
      case "nodes" -> {
        cols.add(new Column("Status", "string", 0, o -> {
          JsonNode ready = JsonPath.read(o, ".status.conditions[?(@.type==\"Ready\")].status");
          return text("True".equals(ready.asText()) ? "Ready" : "NotReady");
        }));
        cols.add(new Column("Roles", "string", 0, o -> text("<none>")));
        cols.add(age());
        cols.add(new Column("Version", "string", 0, o -> text(o.path("status").path("nodeInfo")
            .path("kubeletVersion").asText(""))));
      }
      case "namespaces" -> {
        cols.add(new Column("Status", "string", 0, o -> text(o.path("status").path("phase").asText("Active"))));
        cols.add(age());
      }
      case "configmaps", "secrets" -> {
        if (type.plural().equals("secrets")) {
          cols.add(new Column("Type", "string", 0, o -> text(o.path("type").asText("Opaque"))));
        }
        cols.add(new Column("Data", "string", 0,
            o -> Json.MAPPER.getNodeFactory().numberNode(o.path("data").size() + o.path("binaryData").size())));
        cols.add(age());
      }
      case "services" -> {
        cols.add(new Column("Type", "string", 0, o -> text(o.path("spec").path("type").asText("ClusterIP"))));
        cols.add(new Column("Cluster-IP", "string", 0, o -> text(o.path("spec").path("clusterIP").asText("<none>"))));
        cols.add(new Column("External-IP", "string", 0, o -> text("<none>")));
        cols.add(new Column("Port(s)", "string", 0, o -> {
          List<String> ports = new ArrayList<>();
          o.path("spec").path("ports")
              .forEach(p -> ports.add(p.path("port").asText() + "/" + p.path("protocol").asText("TCP")));
          return text(ports.isEmpty() ? "<none>" : String.join(",", ports));
        }));
        cols.add(age());
      }
      case "customresourcedefinitions" -> cols.add(new Column("Created At", "date", 0,
          o -> text(o.path("metadata").path("creationTimestamp").asText(""))));
      default -> cols.add(age());
    }
    return cols;
  }

  private static Column age() {
    return new Column("Age", "string", 0, o -> text(age(o.path("metadata").path("creationTimestamp").asText(null))));
  }

  private static JsonNode printerCell(String type, JsonNode v) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    return switch (type) {
      case "date" -> text(age(v.asText()));
      case "integer" -> v.isNumber() ? v : text(v.asText());
      case "number" -> v.isNumber() ? v : text(v.asText());
      case "boolean" -> v.isBoolean() ? v : text(v.asText());
      default -> text(v.isValueNode() ? v.asText() : v.toString());
    };
  }

  private static JsonNode text(String s) {
    return Json.MAPPER.getNodeFactory().textNode(s);
  }

  /** The age of a timestamp the way kubectl prints it ("45s", "3m12s", "2h", "5d"). */
  static String age(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return "<unknown>";
    }
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), Instant.now()));
    } catch (RuntimeException e) {
      return "<invalid>";
    }
  }

  static String humanDuration(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + "s";
    }
    long m = s / 60;
    if (m < 10) {
      return s % 60 == 0 ? m + "m" : m + "m" + (s % 60) + "s";
    }
    if (m < 180) {
      return m + "m";
    }
    long h = m / 60;
    if (h < 8) {
      return m % 60 == 0 ? h + "h" : h + "h" + (m % 60) + "m";
    }
    if (h < 48) {
      return h + "h";
    }
    long days = h / 24;
    if (days < 8) {
      return h % 24 == 0 ? days + "d" : days + "d" + (h % 24) + "h";
    }
    return days + "d";
  }
}
