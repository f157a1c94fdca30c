package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resources the stand-in serves: a fixed list of built-in ones plus those of every stored, served CRD version,
 * and the legacy discovery documents kubectl and Helm read (APIVersions, APIGroupList, APIResourceList).
 */
final class Discovery {
  private static final List<String> CREATE_ONLY = List.of("create");
  private static final List<ResourceType> BUILTINS = List.of(
      builtin("", "v1", "pods", "Pod", true, List.of("po"), List.of("all"), true),
      builtin("", "v1", "services", "Service", true, List.of("svc"), List.of("all"), true),
      builtin("", "v1", "configmaps", "ConfigMap", true, List.of("cm"), List.of(), false),
      builtin("", "v1", "secrets", "Secret", true, List.of(), List.of(), false),
      builtin("", "v1", "serviceaccounts", "ServiceAccount", true, List.of("sa"), List.of(), false),
      builtin("", "v1", "namespaces", "Namespace", false, List.of("ns"), List.of(), true),
      builtin("", "v1", "nodes", "Node", false, List.of("no"), List.of(), true),
      builtin("", "v1", "events", "Event", true, List.of("ev"), List.of(), false),
      builtin("", "v1", "endpoints", "Endpoints", true, List.of("ep"), List.of(), false),
      builtin("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, List.of("pvc"), List.of(), true),
      builtin("", "v1", "persistentvolumes", "PersistentVolume", false, List.of("pv"), List.of(), true),
      builtin("", "v1", "resourcequotas", "ResourceQuota", true, List.of("quota"), List.of(), true),
      builtin("", "v1", "limitranges", "LimitRange", true, List.of("limits"), List.of(), false),
      builtin("apps", "v1", "deployments", "Deployment", true, List.of("deploy"), List.of("all"), true),
      builtin("apps", "v1", "statefulsets", "StatefulSet", true, List.of("sts"), List.of("all"), true),
      builtin("apps", "v1", "replicasets", "ReplicaSet", true, List.of("rs"), List.of("all"), true),
      builtin("apps", "v1", "daemonsets", "DaemonSet", true, List.of("ds"), List.of("all"), true),
      builtin("batch", "v1", "jobs", "Job", true, List.of(), List.of("all"), true),
      builtin("batch", "v1", "cronjobs", "CronJob", true, List.of("cj"), List.of("all"), true),
      builtin("coordination.k8s.io", "v1", "leases", "Lease", true, List.of(), List.of(), false),
      builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false,
          List.of("crd", "crds"), List.of("api-extensions"), true),
      builtin("rbac.authorization.k8s.io", "v1", "roles", "Role", true, List.of(), List.of(), false),
      builtin("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, List.of(), List.of(), false),
      builtin("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, List.of(), List.of(), false),
      builtin("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, List.of(),
          List.of(), false),
      builtin("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, List.of("pdb"), List.of(), true),
      builtin("networking.k8s.io", "v1", "ingresses", "Ingress", true, List.of("ing"), List.of(), true),
      builtin("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, List.of("netpol"), List.of(),
          false),
      builtin("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, List.of("pc"), List.of(), false),
      builtin("storage.k8s.io", "v1", "storageclasses", "StorageClass", false, List.of("sc"), List.of(), false),
      builtin("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, List.of("hpa"),
          List.of("all"), true),
      builtin("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, List.of(), List.of(), false),
      builtin("events.k8s.io", "v1", "events", "Event", true, List.of("ev"), List.of(), false),
      new ResourceType("", "v1", "bindings", "binding", "Binding", true, CREATE_ONLY, List.of(), List.of(), false),
      new ResourceType("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "", "SelfSubjectAccessReview",
          false, CREATE_ONLY, List.of(), List.of(), false),
      new ResourceType("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "", "SelfSubjectRulesReview",
          false, CREATE_ONLY, List.of(), List.of(), false));

  private final List<ResourceType> types;

  private Discovery(List<ResourceType> types) {
    this.types = types;
  }

  private static ResourceType builtin(String group, String version, String plural, String kind, boolean namespaced,
      List<String> shortNames, List<String> categories, boolean status) {
    return new ResourceType(group, version, plural, kind.toLowerCase(), kind, namespaced, ResourceType.ALL_VERBS,
        shortNames, categories, status);
  }

  /** The built-in resources and those of the given stored CRD objects. */
  static Discovery of(List<ObjectNode> crds) {
    List<ResourceType> all = new ArrayList<>(BUILTINS);
    for (ObjectNode crd : crds) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      for (JsonNode v : spec.path("versions")) {
        if (!v.path("served").asBoolean(false)) {
          continue;
        }
        all.add(new ResourceType(spec.path("group").asText(), v.path("name").asText(), names.path("plural").asText(),
            names.path("singular").asText(names.path("kind").asText().toLowerCase()), names.path("kind").asText(),
            "Namespaced".equals(spec.path("scope").asText()), ResourceType.ALL_VERBS, strings(names.path("shortNames")),
            strings(names.path("categories")), v.path("subresources").has("status")));
      }
    }
    return new Discovery(all);
  }

  static boolean isBuiltinGroup(String group) {
    return BUILTINS.stream().anyMatch(t -> t.group().equals(group));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  Optional<ResourceType> find(String group, String version, String plural) {
    return types.stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural))
        .findFirst();
  }

  Optional<ResourceType> findKind(String apiVersion, String kind) {
    return types.stream().filter(t -> t.apiVersion().equals(apiVersion) && t.kind().equals(kind)).findFirst();
  }

  List<ResourceType> types() {
    return types;
  }

  private Map<String, List<ResourceType>> byGroupVersion() {
    Map<String, List<ResourceType>> m = new LinkedHashMap<>();
    types.forEach(t -> m.computeIfAbsent(t.groupVersion(), k -> new ArrayList<>()).add(t));
    return m;
  }

  boolean servesGroupVersion(String groupVersion) {
    return byGroupVersion().containsKey(groupVersion);
  }

  /** GET /api */
  ObjectNode apiVersions(String serverAddress) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    o.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
        .put("serverAddress", serverAddress);
    return o;
  }

  /** GET /apis */
  ObjectNode groupList() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    Map<String, List<String>> versions = new LinkedHashMap<>();
    for (ResourceType t : types) {
      if (!t.group().isEmpty()) {
        List<String> vs = versions.computeIfAbsent(t.group(), k -> new ArrayList<>());
        if (!vs.contains(t.version())) {
          vs.add(t.version());
        }
      }
    }
    versions.forEach((g, vs) -> {
      ObjectNode go = groups.addObject();
      go.put("name", g);
      ArrayNode va = go.putArray("versions");
      vs.forEach(v -> va.addObject().put("groupVersion", g + "/" + v).put("version", v));
      go.putObject("preferredVersion").put("groupVersion", g + "/" + vs.get(0)).put("version", vs.get(0));
    });
    return o;
  }

  /** GET /api/v1 or /apis/G/V */
  ObjectNode resourceList(String groupVersion) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
    ArrayNode a = o.putArray("resources");
    for (ResourceType t : byGroupVersion().getOrDefault(groupVersion, List.of())) {
      ObjectNode r = a.addObject();
      r.put("name", t.plural()).put("singularName", t.singular()).put("namespaced", t.namespaced())
          .put("kind", t.kind());
      t.verbs().forEach(r.putArray("verbs")::add);
      if (!t.shortNames().isEmpty()) {
        t.shortNames().forEach(r.putArray("shortNames")::add);
      }
      if (!t.categories().isEmpty()) {
        t.categories().forEach(r.putArray("categories")::add);
      }
      if (t.statusSubresource()) {
        ObjectNode s = a.addObject();
        s.put("name", t.plural() + "/status").put("singularName", "").put("namespaced", t.namespaced())
            .put("kind", t.kind());
        List.of("get", "patch", "update").forEach(s.putArray("verbs")::add);
      }
      if (t.plural().equals("pods")) {
        for (String sub : List.of("log", "binding", "eviction")) {
          ObjectNode s = a.addObject();
          s.put("name", "pods/" + sub).put("singularName", "").put("namespaced", true)
              .put("kind", sub.equals("log") ? "Pod" : sub.equals("binding") ? "Binding" : "Eviction");
          s.putArray("verbs").add(sub.equals("log") ? "get" : "create");
        }
      }
    }
    return o;
  }
}
