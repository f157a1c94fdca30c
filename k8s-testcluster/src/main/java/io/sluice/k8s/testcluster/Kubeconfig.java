package io.sluice.k8s.testcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Kubeconfig files for the stand-in cluster (one cluster, one user with a bearer token, one context). */
public final class Kubeconfig {
  private Kubeconfig() {}

  /**
   * The kubeconfig's YAML.
   *
   * @param user the bearer token; the stand-in API server takes it as the user's name (it appears in 403 messages)
   */
  public static String yaml(String serverUrl, String namespace, String user) {
    boolean tls = serverUrl.startsWith("https:");
    return "apiVersion: v1\nkind: Config\n"
        + "clusters:\n- name: sluice-standin\n  cluster:\n    server: " + serverUrl + "\n"
        + (tls ? "    insecure-skip-tls-verify: true\n" : "")
        + "contexts:\n- name: sluice-standin\n  context:\n    cluster: sluice-standin\n    user: sluice-standin\n"
        + "    namespace: " + namespace + "\n"
        + "current-context: sluice-standin\n"
        + "users:\n- name: sluice-standin\n  user:\n    token: \"" + user + "\"\n";
  }

  /** Writes a kubeconfig to {@code file} (creating its directory) and returns the file. */
  public static Path write(Path file, String serverUrl, String namespace, String user) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, yaml(serverUrl, namespace, user));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
