package io.sluice.k8s.testcluster.apiserver;

/** A request the API server refuses, answered with a meta/v1 Status of this code and reason. */
final class ApiException extends RuntimeException {
  final int code;
  final String reason;

  ApiException(int code, String reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  static ApiException notFound(ResourceType type, String name) {
    return new ApiException(404, "NotFound", qualified(type) + " \"" + name + "\" not found");
  }

  static ApiException noSuchResource() {
    return new ApiException(404, "NotFound", "the server could not find the requested resource");
  }

  static ApiException invalid(String kind, String name, String field, String detail) {
    return new ApiException(422, "Invalid", kind + " \"" + name + "\" is invalid: " + field + ": " + detail);
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message);
  }

  static ApiException conflict(String message) {
    return new ApiException(409, "Conflict", message);
  }

  /** "pods", or "streamingjobs.sluice.io" for a resource outside the core group, as the API server names them. */
  static String qualified(ResourceType type) {
    return type.group().isEmpty() ? type.plural() : type.plural() + "." + type.group();
  }
}
