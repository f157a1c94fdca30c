package io.sluice.k8s.testcluster.apiserver;

import java.util.List;

/**
 * One resource the stand-in API server serves, as discovery describes it.
 *
 * @param group API group ("" for the core group)
 * @param statusSubresource whether writes to the main resource keep the stored status (and /status keeps the rest)
 */
record ResourceType(String group, String version, String plural, String singular, String kind, boolean namespaced,
    List<String> verbs, List<String> shortNames, List<String> categories, boolean statusSubresource) {

  static final List<String> ALL_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  String apiVersion() {
    return groupVersion();
  }

  /** The collection's path in {@code namespace} (ignored for cluster-scoped resources). */
  String collectionPath(String namespace) {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + (namespaced ? "/namespaces/" + namespace : "") + "/" + plural;
  }

  String objectPath(String namespace, String name) {
    return collectionPath(namespace) + "/" + name;
  }
}
