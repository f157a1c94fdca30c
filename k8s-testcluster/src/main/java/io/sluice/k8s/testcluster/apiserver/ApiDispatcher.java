package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The stand-in API server's request handling, in front of fabric8's CRUD store. It adds what kube-apiserver does and
 * the mock does not: discovery, /version and /openapi/v2, Tables, selectors, namespaces that must exist, validation
 * of names and pods, pod defaults and graceful pod deletion, status kept across main-resource writes (and the rest
 * across /status writes) for built-in kinds, all three patch types, Established CRDs, the pods/binding, pods/log and
 * pods/eviction subresources, 403 for configured denials, and garbage collection through {@link GarbageCollector}.
 */
final class ApiDispatcher {
  private static final Logger LOG = LogManager.getLogger(ApiDispatcher.class);
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern GROUP_VERSION_PATH = Pattern.compile("^/apis/([^/]+)/([^/]+)$");
  private static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  private static final String PROTOBUF_OPENAPI = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What to answer: a response, and for a watch how to filter and shape its events. */
  record Reply(MockResponse response, Watch watch) {
    static Reply of(MockResponse r) {
      return new Reply(r, null);
    }
  }

  /** A watch: the mock's WebSocket listener in the response, filtered through this, ended after timeoutSeconds. */
  record Watch(WatchFilter filter, long timeoutSeconds, List<String> removedSinceStart) {}

  private final ObjectStore store;
  private final String kubernetesVersion;
  private volatile String serverAddress = "127.0.0.1:6443";
  private final List<AccessDenial> denials = new CopyOnWriteArrayList<>();
  private final Map<String, LongAdder> requestCounts = new ConcurrentHashMap<>();
  private final Map<String, String> propagationByUid = new ConcurrentHashMap<>();
  private final AtomicInteger clusterIps = new AtomicInteger(10);
  private volatile PodLogSource logs = (ns, pod, container, previous) -> Optional.empty();

  ApiDispatcher(ObjectStore store, String kubernetesVersion) {
    this.store = store;
    this.kubernetesVersion = kubernetesVersion;
  }

  void serverAddress(String hostPort) {
    this.serverAddress = hostPort;
  }

  void podLogs(PodLogSource source) {
    this.logs = source;
  }

  List<AccessDenial> denials() {
    return denials;
  }

  Map<String, Long> requestCounts() {
    Map<String, Long> out = new java.util.TreeMap<>();
    requestCounts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void resetRequestCounts() {
    requestCounts.clear();
  }

  Reply dispatch(RecordedRequest r) {
    try {
      return route(r);
    } catch (ApiException e) {
      return Reply.of(json(e.code, Json.status(e.code, e.reason, e.getMessage())));
    } catch (RuntimeException e) {
      LOG.warn("stand-in API server failed on {} {}", r.getMethod(), r.getPath(), e);
      return Reply.of(json(500, Json.status(500, "InternalError", "stand-in API server: " + e)));
    }
  }

  private Reply route(RecordedRequest request) {
    RecordedRequest r = request;
    String method = r.getMethod();
    String full = r.getPath();
    String path = ObjectStore.stripQuery(full);
    if (method.equals("GET")) {
      MockResponse nonResource = nonResource(path);
      if (nonResource != null) {
        return Reply.of(nonResource);
      }
    }
    String contentType = r.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("application/vnd.kubernetes.protobuf")) {
      ObjectNode decoded = ProtobufBodies.decode(r.getBody().getBytes());
      r = new RecordedRequest(r.getHttpVersion(), r.method(), full,
          Headers.builder().setHeaders(r.getHeaders()).set("Content-Type", "application/json").build(),
          new Buffer(decoded.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      contentType = "application/json";
    }
    ResourcePath rp = ResourcePath.parse(full);
    if (rp == null) {
      throw ApiException.noSuchResource();
    }
    Discovery discovery = discovery();
    ResourceType type = discovery.find(rp.group(), rp.version(), rp.plural())
        .orElseThrow(ApiException::noSuchResource);
    if (!type.namespaced() && rp.namespace() != null) {
      throw ApiException.noSuchResource();
    }
    String verb = rp.verb(method);
    String resource = rp.subresource() == null ? rp.plural() : rp.plural() + "/" + rp.subresource();
    requestCounts.computeIfAbsent(verb + " " + (type.group().isEmpty() ? resource : resource + "." + type.group()),
        k -> new LongAdder()).increment();
    checkAccess(r, verb, type, resource, rp.namespace());
    if (!type.verbs().contains(verb)) {
      throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
    if (type.plural().equals("selfsubjectaccessreviews") || type.plural().equals("selfsubjectrulesreviews")) {
      return Reply.of(json(201, review(r, type)));
    }
    if (type.plural().equals("bindings") || "binding".equals(rp.subresource())) {
      return Reply.of(bind(rp, body(r)));
    }
    if (rp.subresource() != null) {
      return Reply.of(subresource(r, rp, type));
    }
    return switch (method) {
      case "GET" -> get(r, rp, type, discovery);
      case "POST" -> Reply.of(create(rp, type, body(r)));
      case "PUT" -> Reply.of(update(rp, type, body(r), null));
      case "PATCH" -> Reply.of(patch(rp, type, contentType, r.getUtf8Body(), null));
      case "DELETE" -> Reply.of(delete(rp, type, deleteOptions(rp, r)));
      default -> throw new ApiException(405, "MethodNotAllowed", "method " + method + " is not allowed");
    };
  }

  // ---------------------------------------------------------------------------------------------- non-resource paths

  private MockResponse nonResource(String path) {
    Discovery d;
    switch (path) {
      case "/version":
        return json(200, Json.parse("{\"major\":\"" + kubernetesVersion.split("\\.")[0] + "\",\"minor\":\""
            + kubernetesVersion.split("\\.")[1] + "\",\"gitVersion\":\"v" + kubernetesVersion
            + "-sluice-standin\",\"platform\":\"linux/amd64\",\"goVersion\":\"go1.23\",\"compiler\":\"gc\"}"));
      case "/healthz", "/livez", "/readyz":
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody("ok");
      case "/openapi/v2":
        // an empty protobuf message is a valid, empty openapi_v2.Document: kubectl then validates nothing
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", PROTOBUF_OPENAPI).setBody("");
      case "/openapi/v3":
        throw ApiException.noSuchResource();
      case "/api":
        return json(200, discovery().apiVersions(serverAddress));
      case "/apis":
        return json(200, discovery().groupList());
      case "/api/v1":
        return json(200, discovery().resourceList("v1"));
      default:
        var m = GROUP_VERSION_PATH.matcher(path);
        if (m.matches()) {
          d = discovery();
          String gv = m.group(1) + "/" + m.group(2);
          if (!d.servesGroupVersion(gv)) {
            throw ApiException.noSuchResource();
          }
          return json(200, d.resourceList(gv));
        }
        return null;
    }
  }

  Discovery discovery() {
    return Discovery.of(crds());
  }

  private List<ObjectNode> crds() {
    List<ObjectNode> out = new ArrayList<>();
    MockResponse list = store.handleGet(CRD_PATH);
    if (list.code() == 200 && list.getBody() != null) {
      Json.parse(text(list)).path("items").forEach(i -> out.add((ObjectNode) i));
    }
    return out;
  }

  private ObjectNode crdOf(ResourceType type) {
    if (Discovery.isBuiltinGroup(type.group())) {
      return null;
    }
    return store.get(CRD_PATH + "/" + type.plural() + "." + type.group()).orElse(null);
  }

  // ------------------------------------------------------------------------------------------------------- access

  private void checkAccess(RecordedRequest r, String verb, ResourceType type, String resource, String namespace) {
    for (AccessDenial d : denials) {
      if (d.matches(verb, type.group(), type.plural(), namespace == null ? "" : namespace)) {
        String where = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
        throw new ApiException(403, "Forbidden", ApiException.qualified(type) + " is forbidden: User \"" + user(r)
            + "\" cannot " + verb
            + " resource \"" + resource + "\" in API group \"" + type.group() + "\" " + where);
      }
    }
  }

  private static String user(RecordedRequest r) {
    String auth = r.getHeader("Authorization");
    if (auth != null && auth.startsWith("Bearer ") && auth.length() > 7) {
      return auth.substring(7).trim();
    }
    return "system:anonymous";
  }

  private ObjectNode review(RecordedRequest r, ResourceType type) {
    ObjectNode review = body(r);
    ObjectNode status = review.putObject("status");
    if (type.plural().equals("selfsubjectaccessreviews")) {
      JsonNode ra = review.path("spec").path("resourceAttributes");
      boolean denied = denials.stream().anyMatch(d -> d.matches(ra.path("verb").asText(), ra.path("group").asText(""),
          ra.path("resource").asText(), ra.path("namespace").asText("")));
      status.put("allowed", !denied);
      if (denied) {
        status.put("denied", true).put("reason", "denied by the test's AccessDenial");
      }
    } else {
      ObjectNode rule = status.putArray("resourceRules").addObject();
      rule.putArray("verbs").add("*");
      rule.putArray("apiGroups").add("*");
      rule.putArray("resources").add("*");
      status.putArray("nonResourceRules").addObject().<ArrayNode>putArray("verbs").add("*");
      status.put("incomplete", false);
    }
    return review;
  }

  // ---------------------------------------------------------------------------------------------------------- GET

  private Reply get(RecordedRequest r, ResourcePath rp, ResourceType type, Discovery discovery) {
    boolean table = wantsTable(r);
    if (rp.name() != null && !rp.isWatch()) {
      ObjectNode o = store.get(path(rp)).orElseThrow(() -> ApiException.notFound(type, rp.name()));
      if (table) {
        return Reply.of(json(200, TableRenderer.render(type, crdOf(type), List.of(o), null,
            rp.query().get("includeObject"))));
      }
      return Reply.of(json(200, o));
    }
    String labels = rp.query().get("labelSelector");
    String fields = rp.query().get("fieldSelector");
    if (rp.name() != null) {
      fields = (fields == null || fields.isEmpty() ? "" : fields + ",") + "metadata.name=" + rp.name();
    }
    Predicate<JsonNode> selector = Selector.of(labels, fields);
    String collection = collectionPath(rp);
    if (rp.isWatch()) {
      ObjectNode crd = table ? crdOf(type) : null;
      String include = rp.query().get("includeObject");
      UnaryOperator<ObjectNode> shape = table
          ? o -> TableRenderer.render(type, crd, List.of(o), null, include)
          : o -> o;
      long since = parseLong(rp.query().get("resourceVersion"));
      long timeout = rp.query().containsKey("timeoutSeconds") ? parseLong(rp.query().get("timeoutSeconds")) : 1800;
      MockResponse ws = store.handleGet(collection + "?watch=true");
      List<String> removed = new ArrayList<>();
      if (since > 0) {
        for (String gone : store.removedSince(since)) {
          ObjectNode o = Json.parse(gone);
          ResourceType t = discovery.findKind(o.path("apiVersion").asText(), o.path("kind").asText()).orElse(null);
          if (type.equals(t) && (rp.namespace() == null
              || rp.namespace().equals(o.path("metadata").path("namespace").asText()))) {
            removed.add(gone);
          }
        }
      }
      return new Reply(ws, new Watch(new WatchFilter(selector, since, shape, store::removalVersion), timeout,
          removed));
    }
    MockResponse list = store.handleGet(collection);
    ObjectNode body = Json.parse(text(list));
    List<JsonNode> items = new ArrayList<>();
    body.path("items").forEach(i -> {
      if (selector.test(i)) {
        items.add(i);
      }
    });
    String rv = body.path("metadata").path("resourceVersion").asText(null);
    if (table) {
      return Reply.of(json(200, TableRenderer.render(type, crdOf(type), items, rv, rp.query().get("includeObject"))));
    }
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.put("apiVersion", type.apiVersion()).put("kind", type.kind() + "List");
    ObjectNode md = out.putObject("metadata");
    if (rv != null) {
      md.put("resourceVersion", rv);
    }
    ArrayNode a = out.putArray("items");
    items.forEach(a::add);
    return Reply.of(json(200, out));
  }

  private static boolean wantsTable(RecordedRequest r) {
    String accept = r.getHeader("Accept");
    return accept != null && accept.contains("as=Table");
  }

  // -------------------------------------------------------------------------------------------------------- create

  private MockResponse create(ResourcePath rp, ResourceType type, ObjectNode object) {
    ObjectNode md = Json.metadata(object);
    if (rp.name() != null) {
      throw new ApiException(405, "MethodNotAllowed", "POST to a named object is not allowed");
    }
    if (type.namespaced() && rp.namespace() == null) {
      throw ApiException.noSuchResource();
    }
    String kind = object.path("kind").asText(type.kind());
    if (!object.path("apiVersion").asText(type.apiVersion()).equals(type.apiVersion())
        || !kind.equals(type.kind())) {
      throw ApiException.badRequest("the API version in the data (" + object.path("apiVersion").asText() + ") and "
          + "kind (" + kind + ") do not match the resource " + ApiException.qualified(type) + " of version "
          + type.apiVersion());
    }
    object.put("apiVersion", type.apiVersion()).put("kind", type.kind());
    String name = md.path("name").asText("");
    if (name.isEmpty()) {
      String generate = md.path("generateName").asText("");
      if (generate.isEmpty()) {
        throw ApiException.invalid(type.kind(), "", "metadata.name", "Required value: name or generateName is required");
      }
      name = generate + randomSuffix();
      md.put("name", name);
    }
    validateName(type, name);
    if (type.namespaced()) {
      String ns = md.path("namespace").asText("");
      if (!ns.isEmpty() && !ns.equals(rp.namespace())) {
        throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
            + "the request");
      }
      if (store.get("/api/v1/namespaces/" + rp.namespace()).isEmpty()) {
        throw new ApiException(404, "NotFound", "namespaces \"" + rp.namespace() + "\" not found");
      }
      md.put("namespace", rp.namespace());
    } else {
      md.remove("namespace");
    }
    md.remove("deletionTimestamp");
    md.remove("deletionGracePeriodSeconds");
    switch (type.plural()) {
      case "pods" -> PodDefaults.apply(object);
      case "services" -> defaultService(object);
      case "namespaces" -> Json.object(object, "status").put("phase", "Active");
      default -> {
        // no defaults
      }
    }
    if (isDryRun(rp)) {
      md.put("uid", java.util.UUID.randomUUID().toString()).put("creationTimestamp", Json.now());
      return json(201, object);
    }
    String path = collectionPath(rp);
    MockResponse created = store.handleCreate(request(HttpMethod.POST, path, object));
    if (created.code() == 409) {
      throw new ApiException(409, "AlreadyExists", ApiException.qualified(type) + " \"" + name + "\" already exists");
    }
    if (created.code() == 201 && type.plural().equals("customresourcedefinitions")) {
      return json(201, establish(path + "/" + name));
    }
    return withJsonType(created);
  }

  private static void validateName(ResourceType type, String name) {
    if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      throw ApiException.invalid(type.kind(), name, "metadata.name", "Invalid value: \"" + name + "\": a lowercase "
          + "RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
          + "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
          + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }
  }

  private void defaultService(ObjectNode svc) {
    ObjectNode spec = Json.object(svc, "spec");
    if (!spec.has("type")) {
      spec.put("type", "ClusterIP");
    }
    if (!spec.has("clusterIP")) {
      spec.put("clusterIP", "10.96." + (clusterIps.get() / 250) + "." + (clusterIps.getAndIncrement() % 250 + 1));
    }
    if (spec.has("clusterIP")) {
      spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
    }
    for (JsonNode p : spec.path("ports")) {
      if (p instanceof ObjectNode port) {
        if (!port.has("protocol")) {
          port.put("protocol", "TCP");
        }
        if (!port.has("targetPort")) {
          port.set("targetPort", port.get("port"));
        }
      }
    }
    Json.object(svc, "status").putObject("loadBalancer");
  }

  /** What kube-apiserver's CRD controllers do once the names are accepted: the CRD is served (Established). */
  private ObjectNode establish(String crdPath) {
    return store.atomically(() -> {
      ObjectNode crd = store.get(crdPath).orElseThrow();
      ObjectNode status = Json.object(crd, "status");
      status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
      ArrayNode stored = status.putArray("storedVersions");
      crd.path("spec").path("versions").forEach(v -> {
        if (v.path("storage").asBoolean(false)) {
          stored.add(v.path("name").asText());
        }
      });
      ArrayNode conditions = status.putArray("conditions");
      String now = Json.now();
      conditions.addObject().put("type", "NamesAccepted").put("status", "True").put("reason", "NoConflicts")
          .put("message", "no conflicts found").put("lastTransitionTime", now);
      conditions.addObject().put("type", "Established").put("status", "True").put("reason", "InitialNamesAccepted")
          .put("message", "the initial names have been accepted").put("lastTransitionTime", now);
      return store.replace(crdPath, crd);
    });
  }

  // --------------------------------------------------------------------------------------------- update and patch

  private MockResponse update(ResourcePath rp, ResourceType type, ObjectNode object, String statusPathOrNull) {
    String path = statusPathOrNull != null ? statusPathOrNull : path(rp);
    return store.atomically(() -> {
      ObjectNode current = store.get(path(rp)).orElseThrow(() -> ApiException.notFound(type, rp.name()));
      if (!rp.name().equals(Json.metadata(object).path("name").asText(rp.name()))) {
        throw ApiException.badRequest("the name of the object (" + Json.metadata(object).path("name").asText()
            + ") does not match the name on the URL (" + rp.name() + ")");
      }
      Json.metadata(object).put("name", rp.name());
      if (type.namespaced()) {
        Json.metadata(object).put("namespace", rp.namespace());
      }
      object.put("apiVersion", type.apiVersion()).put("kind", type.kind());
      if (statusPathOrNull == null && type.statusSubresource()) {
        // a write to the main resource leaves the status as it is (the status subresource owns it)
        if (current.has("status")) {
          object.set("status", current.get("status"));
        } else {
          object.remove("status");
        }
      }
      if (statusPathOrNull == null && type.plural().equals("pods")) {
        checkPodUpdate(current, object);
      }
      if (isDryRun(rp)) {
        return json(200, object);
      }
      if (type.plural().equals("pods") && Json.metadata(current).has("deletionTimestamp")) {
        return json(200, updateTerminatingPod(path, current, object, statusPathOrNull != null));
      }
      MockResponse updated = store.handleUpdate(request(HttpMethod.PUT, path, object));
      if (updated.code() == 409) {
        throw ApiException.conflict("Operation cannot be fulfilled on " + ApiException.qualified(type) + " \""
            + rp.name() + "\": the object has been modified; please apply your changes to the latest version and "
            + "try again");
      }
      if (updated.code() == 200 && statusPathOrNull == null && type.plural().equals("customresourcedefinitions")) {
        return json(200, establish(path));
      }
      return withJsonType(updated);
    });
  }

  /**
   * A write to a pod in graceful termination. The mock would remove any object written with a deletionTimestamp
   * and no finalizers; a terminating pod stays until its kubelet (or a grace-period-0 delete) removes it.
   */
  private ObjectNode updateTerminatingPod(String path, ObjectNode current, ObjectNode body, boolean statusWrite) {
    String rv = Json.metadata(body).path("resourceVersion").asText("");
    if (!rv.isEmpty() && !rv.equals(Json.metadata(current).path("resourceVersion").asText())) {
      throw ApiException.conflict("Operation cannot be fulfilled on pods \"" + Json.metadata(current).path("name")
          .asText() + "\": the object has been modified; please apply your changes to the latest version and try "
          + "again");
    }
    ObjectNode next = statusWrite ? current.deepCopy() : body.deepCopy();
    if (statusWrite) {
      next.set("status", body.path("status").deepCopy());
    } else {
      ObjectNode md = Json.metadata(next);
      ObjectNode cur = Json.metadata(current);
      for (String f : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
          "generation", "namespace", "name")) {
        if (cur.has(f)) {
          md.set(f, cur.get(f));
        }
      }
    }
    return store.replace(path, next);
  }

  /** Pod specs are immutable but for a few fields, as in kube-apiserver's pod validation. */
  private static void checkPodUpdate(ObjectNode current, ObjectNode updated) {
    ObjectNode a = current.path("spec").deepCopy();
    ObjectNode b = updated.path("spec") instanceof ObjectNode s ? s.deepCopy() : Json.MAPPER.createObjectNode();
    for (ObjectNode spec : List.of(a, b)) {
      spec.remove("activeDeadlineSeconds");
      spec.remove("tolerations");
      spec.remove("terminationGracePeriodSeconds");
      spec.path("containers").forEach(c -> ((ObjectNode) c).remove("image"));
      spec.path("initContainers").forEach(c -> ((ObjectNode) c).remove("image"));
    }
    if (!a.equals(b)) {
      throw ApiException.invalid("Pod", updated.path("metadata").path("name").asText(), "spec",
          "Forbidden: pod updates may not change fields other than `spec.containers[*].image`, "
              + "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to "
              + "existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
              + "previously negative)");
    }
  }

  private MockResponse patch(ResourcePath rp, ResourceType type, String contentType, String body,
      String statusPathOrNull) {
    String ct = contentType == null ? "" : contentType.split(";")[0].trim();
    if (ct.equals(Patches.STRATEGIC) && !Discovery.isBuiltinGroup(type.group())) {
      throw new ApiException(415, "UnsupportedMediaType", "strategic merge patch is not supported for "
          + type.group() + "/" + type.version() + ", Kind=" + type.kind());
    }
    return store.atomically(() -> {
      ObjectNode current = store.get(path(rp)).orElseThrow(() -> ApiException.notFound(type, rp.name()));
      ObjectNode patched = Patches.apply(current, contentType, body);
      return update(rp, type, patched, statusPathOrNull);
    });
  }

  // ------------------------------------------------------------------------------------------------------- delete

  private record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, boolean dryRun,
      String preconditionUid, String preconditionResourceVersion) {}

  private static DeleteOptions deleteOptions(ResourcePath rp, RecordedRequest r) {
    ObjectNode body = r.getBody() == null || r.getBody().size() == 0 ? Json.MAPPER.createObjectNode() : body(r);
    Long grace = body.has("gracePeriodSeconds") ? body.get("gracePeriodSeconds").asLong() : null;
    if (rp.query().containsKey("gracePeriodSeconds")) {
      grace = parseLong(rp.query().get("gracePeriodSeconds"));
    }
    if (grace != null && grace < 0) {
      grace = null; // unset: the object's default
    }
    String policy = body.path("propagationPolicy").asText(rp.query().get("propagationPolicy"));
    if (policy == null && (body.path("orphanDependents").asBoolean(false)
        || "true".equals(rp.query().get("orphanDependents")))) {
      policy = "Orphan";
    }
    boolean dryRun = body.path("dryRun").size() > 0 || rp.query().containsKey("dryRun");
    return new DeleteOptions(grace, policy == null ? "Background" : policy, dryRun,
        body.path("preconditions").path("uid").asText(null),
        body.path("preconditions").path("resourceVersion").asText(null));
  }

  private MockResponse delete(ResourcePath rp, ResourceType type, DeleteOptions options) {
    if (rp.name() == null) {
      // deletecollection: each matching object as if deleted on its own
      Reply listed = get(listRequest(), rp, type, null);
      ObjectNode list = Json.parse(text(listed.response()));
      for (JsonNode item : list.path("items")) {
        String ns = item.path("metadata").path("namespace").asText(null);
        deleteObject(type, ns, item.path("metadata").path("name").asText(), options);
      }
      return json(200, list);
    }
    return json(200, deleteObject(type, rp.namespace(), rp.name(), options));
  }

  /** Deletes one object as the API server does; pods on a node go through graceful termination first. */
  ObjectNode deleteObject(ResourceType type, String namespace, String name, DeleteOptions options) {
    String path = type.objectPath(namespace, name);
    return store.atomically(() -> {
      ObjectNode current = store.get(path).orElseThrow(() -> ApiException.notFound(type, name));
      ObjectNode md = Json.metadata(current);
      if (options.preconditionUid() != null && !options.preconditionUid().equals(md.path("uid").asText())) {
        throw ApiException.conflict("Precondition failed: UID in precondition: " + options.preconditionUid()
            + ", UID in object meta: " + md.path("uid").asText());
      }
      if (options.preconditionResourceVersion() != null
          && !options.preconditionResourceVersion().equals(md.path("resourceVersion").asText())) {
        throw ApiException.conflict("Precondition failed: ResourceVersion in precondition: "
            + options.preconditionResourceVersion() + ", ResourceVersion in object meta: "
            + md.path("resourceVersion").asText());
      }
      if (options.dryRun()) {
        return current;
      }
      if (type.plural().equals("pods")) {
        long grace = options.gracePeriodSeconds() != null ? options.gracePeriodSeconds()
            : current.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        String phase = current.path("status").path("phase").asText("");
        boolean onNode = !current.path("spec").path("nodeName").asText("").isEmpty();
        boolean terminal = phase.equals("Succeeded") || phase.equals("Failed");
        if (grace > 0 && onNode && !terminal) {
          long already = md.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
          if (md.has("deletionTimestamp") && already <= grace) {
            return current; // already terminating, at least as soon
          }
          md.put("deletionTimestamp", Json.time(Instant.now().plusSeconds(grace)));
          md.put("deletionGracePeriodSeconds", grace);
          return store.replace(path, current);
        }
      }
      propagationByUid.put(md.path("uid").asText(), options.propagationPolicy());
      MockResponse deleted = store.handleDelete(path);
      if (deleted.code() == 404) {
        throw ApiException.notFound(type, name);
      }
      return store.get(path).orElse(current); // still there when finalizers hold it
    });
  }

  /** Deletes on the garbage collector's behalf: background propagation, default grace period. */
  void deleteDependent(ResourceType type, String namespace, String name) {
    try {
      deleteObject(type, namespace, name, new DeleteOptions(null, "Background", false, null, null));
    } catch (ApiException e) {
      if (e.code != 404) {
        throw e;
      }
    }
  }

  String propagationPolicyOf(String uid) {
    String p = propagationByUid.remove(uid);
    return p == null ? "Background" : p;
  }

  // ------------------------------------------------------------------------------------------------- subresources

  private MockResponse subresource(RecordedRequest r, ResourcePath rp, ResourceType type) {
    String sub = rp.subresource();
    if (sub.equals("status") && type.statusSubresource()) {
      String statusPath = path(rp) + "/status";
      return switch (r.getMethod()) {
        case "GET" -> json(200, store.get(path(rp)).orElseThrow(() -> ApiException.notFound(type, rp.name())));
        case "PUT" -> update(rp, type, body(r), statusPath);
        case "PATCH" -> patch(rp, type, r.getHeader("Content-Type"), r.getUtf8Body(), statusPath);
        default -> throw new ApiException(405, "MethodNotAllowed", "method not allowed on status");
      };
    }
    if (type.plural().equals("pods") && sub.equals("log") && r.getMethod().equals("GET")) {
      return podLog(rp);
    }
    if (type.plural().equals("pods") && sub.equals("eviction") && r.getMethod().equals("POST")) {
      deleteObject(type, rp.namespace(), rp.name(), new DeleteOptions(null, "Background", false, null, null));
      ObjectNode ok = Json.MAPPER.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
          .put("status", "Success").put("code", 201);
      return json(201, ok);
    }
    if (type.plural().equals("pods") && List.of("exec", "attach", "portforward", "proxy").contains(sub)) {
      throw ApiException.badRequest("pods/" + sub + " is not supported by the stand-in API server (its kubelet runs "
          + "containers as local processes)");
    }
    throw ApiException.noSuchResource();
  }

  private MockResponse podLog(ResourcePath rp) {
    ResourceType pods = discovery().find("", "v1", "pods").orElseThrow();
    ObjectNode pod = store.get(path(rp)).orElseThrow(() -> ApiException.notFound(pods, rp.name()));
    List<String> names = new ArrayList<>();
    pod.path("spec").path("containers").forEach(c -> names.add(c.path("name").asText()));
    String container = rp.query().get("container");
    if (container == null || container.isEmpty()) {
      if (names.size() != 1) {
        throw ApiException.badRequest("a container name must be specified for pod " + rp.name()
            + ", choose one of: " + names);
      }
      container = names.get(0);
    } else if (!names.contains(container)) {
      pod.path("spec").path("initContainers").forEach(c -> names.add(c.path("name").asText()));
      if (!names.contains(container)) {
        throw ApiException.badRequest("container " + container + " is not valid for pod " + rp.name());
      }
    }
    boolean previous = "true".equals(rp.query().get("previous"));
    Optional<Path> file = logs.logFile(rp.namespace(), rp.name(), container, previous);
    if (file.isEmpty() || !Files.exists(file.get())) {
      throw ApiException.badRequest(previous
          ? "previous terminated container \"" + container + "\" in pod \"" + rp.name() + "\" not found"
          : "container \"" + container + "\" in pod \"" + rp.name() + "\" is waiting to start: ContainerCreating");
    }
    try {
      String text = Files.readString(file.get());
      if (rp.query().containsKey("tailLines")) {
        int n = (int) parseLong(rp.query().get("tailLines"));
        String[] lines = text.split("\n", -1);
        int end = text.endsWith("\n") ? lines.length - 1 : lines.length;
        text = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, end - n), end))
            + (text.endsWith("\n") && end > 0 ? "\n" : "");
      }
      return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(text);
    } catch (IOException e) {
      throw new ApiException(500, "InternalError", "cannot read the log: " + e);
    }
  }

  private MockResponse bind(ResourcePath rp, ObjectNode binding) {
    String name = rp.name() != null ? rp.name() : Json.metadata(binding).path("name").asText();
    String node = binding.path("target").path("name").asText("");
    if (node.isEmpty()) {
      throw ApiException.invalid("Binding", name, "target.name", "Required value");
    }
    ResourceType pods = discovery().find("", "v1", "pods").orElseThrow();
    String path = pods.objectPath(rp.namespace(), name);
    store.atomically(() -> {
      ObjectNode pod = store.get(path).orElseThrow(() -> ApiException.notFound(pods, name));
      String assigned = pod.path("spec").path("nodeName").asText("");
      if (!assigned.isEmpty()) {
        throw ApiException.conflict("Operation cannot be fulfilled on pods/binding \"" + name + "\": pod " + name
            + " is already assigned to node \"" + assigned + "\"");
      }
      Json.object(pod, "spec").put("nodeName", node);
      ArrayNode conditions = Json.object(pod, "status").withArray("conditions");
      conditions.addObject().put("type", "PodScheduled").put("status", "True").putNull("lastProbeTime")
          .put("lastTransitionTime", Json.now());
      return store.replace(path, pod);
    });
    return json(201, Json.MAPPER.createObjectNode().put("kind", "Status").put("apiVersion", "v1")
        .put("status", "Success").put("code", 201));
  }

  // ---------------------------------------------------------------------------------------------------- helpers

  private static String path(ResourcePath rp) {
    return collectionPath(rp) + (rp.name() == null ? "" : "/" + rp.name());
  }

  private static String collectionPath(ResourcePath rp) {
    String prefix = rp.group().isEmpty() ? "/api/" + rp.version() : "/apis/" + rp.group() + "/" + rp.version();
    return prefix + (rp.namespace() == null ? "" : "/namespaces/" + rp.namespace()) + "/" + rp.plural();
  }

  private static RecordedRequest listRequest() {
    return request(HttpMethod.GET, "/", null);
  }

  private static boolean isDryRun(ResourcePath rp) {
    return rp.query().containsKey("dryRun");
  }

  private static String randomSuffix() {
    String chars = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(chars.charAt(RANDOM.nextInt(chars.length())));
    }
    return b.toString();
  }

  private static long parseLong(String s) {
    try {
      return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static ObjectNode body(RecordedRequest r) {
    String s = r.getUtf8Body();
    if (s == null || s.isBlank()) {
      throw ApiException.badRequest("the request has no body");
    }
    try {
      return Json.parse(s);
    } catch (RuntimeException e) {
      throw ApiException.badRequest("the body of the request could not be decoded as a JSON object: "
          + e.getMessage());
    }
  }

  static RecordedRequest request(HttpMethod method, String path, ObjectNode body) {
    Headers headers = Headers.builder().add("Content-Type", "application/json").build();
    return new RecordedRequest("HTTP/1.1", method, path, headers,
        new Buffer(body == null ? new byte[0] : body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  static MockResponse json(int code, JsonNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }

  static String text(MockResponse r) {
    return r.getBody() == null ? "" : new String(r.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static MockResponse withJsonType(MockResponse r) {
    if (r.getHeaders().get("Content-Type") == null) {
      r.setHeader("Content-Type", "application/json");
    }
    return r;
  }
}
