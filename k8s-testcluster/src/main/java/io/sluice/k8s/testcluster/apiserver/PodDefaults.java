package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Pod validation and defaulting on create, the parts of kube-apiserver's that tests and users run into. */
final class PodDefaults {
  private static final Pattern QUANTITY = Pattern.compile("^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|[KMGTPE]i|[numkMGTPE])?$");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private PodDefaults() {}

  static void apply(ObjectNode pod) {
    String name = pod.path("metadata").path("name").asText();
    ObjectNode spec = Json.object(pod, "spec");
    JsonNode containers = spec.path("containers");
    if (!containers.isArray() || containers.isEmpty()) {
      throw ApiException.invalid("Pod", name, "spec.containers", "Required value");
    }
    Set<String> names = new HashSet<>();
    for (String list : List.of("initContainers", "containers")) {
      int i = 0;
      for (JsonNode c : spec.path(list)) {
        String field = "spec." + list + "[" + i++ + "]";
        if (!(c instanceof ObjectNode container)) {
          throw ApiException.invalid("Pod", name, field, "Invalid value: not an object");
        }
        String cname = container.path("name").asText("");
        if (cname.isEmpty()) {
          throw ApiException.invalid("Pod", name, field + ".name", "Required value");
        }
        if (!DNS_LABEL.matcher(cname).matches() || cname.length() > 63) {
          throw ApiException.invalid("Pod", name, field + ".name", "Invalid value: \"" + cname
              + "\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
        }
        if (!names.add(cname)) {
          throw ApiException.invalid("Pod", name, field + ".name", "Duplicate value: \"" + cname + "\"");
        }
        String image = container.path("image").asText("");
        if (image.isBlank()) {
          throw ApiException.invalid("Pod", name, field + ".image", "Required value");
        }
        if (!container.has("imagePullPolicy")) {
          boolean latest = !image.contains(":") || image.endsWith(":latest");
          container.put("imagePullPolicy", latest && !image.contains("@") ? "Always" : "IfNotPresent");
        }
        container.put("terminationMessagePath", container.path("terminationMessagePath").asText("/dev/termination-log"));
        container.put("terminationMessagePolicy", container.path("terminationMessagePolicy").asText("File"));
        ObjectNode resources = Json.object(container, "resources");
        for (String kind : List.of("limits", "requests")) {
          resources.path(kind).fields().forEachRemaining(e -> {
            if (!QUANTITY.matcher(e.getValue().asText()).matches()) {
              throw ApiException.badRequest("quantities must match the regular expression "
                  + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (" + field + ".resources." + kind + "."
                  + e.getKey() + ": \"" + e.getValue().asText() + "\")");
            }
          });
        }
        if (resources.has("limits")) {
          ObjectNode requests = Json.object(resources, "requests");
          resources.get("limits").fields().forEachRemaining(e -> {
            if (!requests.has(e.getKey())) {
              requests.set(e.getKey(), e.getValue());
            }
          });
        }
      }
    }
    String restart = spec.path("restartPolicy").asText("Always");
    if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
      throw ApiException.invalid("Pod", name, "spec.restartPolicy", "Unsupported value: \"" + restart
          + "\": supported values: \"Always\", \"OnFailure\", \"Never\"");
    }
    spec.put("restartPolicy", restart);
    spec.put("terminationGracePeriodSeconds", spec.path("terminationGracePeriodSeconds").asLong(30));
    spec.put("dnsPolicy", spec.path("dnsPolicy").asText("ClusterFirst"));
    spec.put("schedulerName", spec.path("schedulerName").asText("default-scheduler"));
    String sa = spec.path("serviceAccountName").asText(spec.path("serviceAccount").asText("default"));
    spec.put("serviceAccountName", sa).put("serviceAccount", sa);
    spec.put("enableServiceLinks", spec.path("enableServiceLinks").asBoolean(true));
    spec.put("priority", spec.path("priority").asInt(0));
    if (!spec.has("securityContext")) {
      spec.putObject("securityContext");
    }
    ObjectNode status = Json.MAPPER.createObjectNode();
    status.put("phase", "Pending").put("qosClass", qosClass(spec));
    pod.set("status", status);
  }

  static String qosClass(JsonNode spec) {
    boolean any = false;
    boolean guaranteed = true;
    for (JsonNode c : spec.path("containers")) {
      JsonNode limits = c.path("resources").path("limits");
      JsonNode requests = c.path("resources").path("requests");
      any |= limits.size() > 0 || requests.size() > 0;
      for (String r : List.of("cpu", "memory")) {
        if (!limits.has(r) || !limits.get(r).asText().equals(requests.path(r).asText(limits.get(r).asText()))) {
          guaranteed = false;
        }
      }
    }
    return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
  }
}
