package io.sluice.k8s.testcluster.apiserver;

/**
 * A request the stand-in API server answers with 403 Forbidden, worded as kube-apiserver's RBAC authorizer words it.
 * The stand-in has no RBAC otherwise: everything not denied is allowed.
 *
 * @param verb an RBAC verb (get, list, watch, create, update, patch, delete, deletecollection) or "*"
 * @param group the API group ("" for the core group) or "*"
 * @param resource the resource's plural name (e.g. "pods") or "*"
 * @param namespace the namespace, or "*" for any (cluster-scoped requests included)
 */
public record AccessDenial(String verb, String group, String resource, String namespace) {

  boolean matches(String verb, String group, String resource, String namespace) {
    return any(this.verb, verb) && any(this.group, group) && any(this.resource, resource)
        && (this.namespace.equals("*") || this.namespace.equals(namespace));
  }

  private static boolean any(String pattern, String value) {
    return pattern.equals("*") || pattern.equals(value);
  }
}
