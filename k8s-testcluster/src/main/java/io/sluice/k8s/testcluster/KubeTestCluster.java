package io.sluice.k8s.testcluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.sluice.k8s.testcluster.apiserver.StandInApiServer;
import io.sluice.k8s.testcluster.kubelet.KubeletConfig;
import io.sluice.k8s.testcluster.kubelet.StandInKubelet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Kubernetes stand-in cluster for tests: the {@link StandInApiServer} (fabric8's CRUD store with what kubectl and
 * Helm need), a scheduler, and one {@link StandInKubelet} per node running pods as local processes. Real clients talk
 * to it: the fabric8 client ({@link #client()}) and the kubectl binary ({@link #kubectl(String)}).
 *
 * <pre>{@code
 * try (KubeTestCluster k8s = KubeTestCluster.builder().workDir(tmp)
 *     .kubelet(k -> k.mapPath("/opt/sluice", distDir).image("sluice", ImageConfig.entrypoint("/opt/sluice/bin/entrypoint.sh")))
 *     .start()) {
 *   k8s.createNamespace("jobs");
 *   Kubectl kubectl = k8s.kubectl("user");
 *   kubectl.run("apply", "-f", podYaml.toString());
 * }
 * }</pre>
 */
public final class KubeTestCluster implements AutoCloseable {
  /** The kubectl binary: system property {@code sluice.kubectl}, or /usr/bin/kubectl. */
  public static final Path KUBECTL = Path.of(System.getProperty("sluice.kubectl", "/usr/bin/kubectl"));
  /** The user (bearer token) of the kubeconfigs and clients the fixture hands out. */
  public static final String USER = "sluice-test";

  private final Path workDir;
  private final StandInApiServer apiServer;
  private final KubernetesClient client;
  private final Map<String, StandInKubelet> kubelets = new LinkedHashMap<>();
  private final StandInScheduler scheduler;

  private KubeTestCluster(Builder b) {
    this.workDir = b.workDir.toAbsolutePath();
    apiServer = StandInApiServer.start(b.port, b.tls);
    try {
      client = newClient("default");
      scheduler = new StandInScheduler(newClient("default"),
          () -> kubelets.values().stream().filter(StandInKubelet::nodeReady).map(StandInKubelet::nodeName).toList());
      for (int i = 1; i <= b.nodes; i++) {
        String node = "standin-node-" + i;
        KubeletConfig.Builder kb = KubeletConfig.builder(node, workDir.resolve("nodes").resolve(node));
        b.kubelet.accept(kb);
        kubelets.put(node, new StandInKubelet(kb.build(), newClient("default")));
      }
      apiServer.podLogSource((ns, pod, container, previous) -> kubelets.values().stream()
          .map(k -> k.logFile(ns, pod, container, previous)).flatMap(Optional::stream).findFirst());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of the cluster. */
  public static final class Builder {
    private Path workDir;
    private boolean tls;
    private int port;
    private int nodes = 1;
    private Consumer<KubeletConfig.Builder> kubelet = k -> {};

    /** Where pods' directories, logs and kubectl files go (a new temporary directory if not given). */
    public Builder workDir(Path dir) {
      this.workDir = dir;
      return this;
    }

    /** Serve HTTPS with a self-signed certificate (clients skip verification); plain HTTP by default. */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** The API server's port (any free one by default). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** How many nodes (each with its kubelet); 1 by default, 0 for an API server alone (pods stay Pending). */
    public Builder nodes(int count) {
      this.nodes = count;
      return this;
    }

    /** Configures every node's kubelet (image declarations, path mappings, paper pods...). */
    public Builder kubelet(Consumer<KubeletConfig.Builder> configure) {
      this.kubelet = configure;
      return this;
    }

    public KubeTestCluster start() {
      if (workDir == null) {
        try {
          workDir = Files.createTempDirectory("sluice-k8s-standin");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return new KubeTestCluster(this);
    }
  }

  public String url() {
    return apiServer.url();
  }

  public StandInApiServer apiServer() {
    return apiServer;
  }

  public Path workDir() {
    return workDir;
  }

  /** A client for the tests' own use (closed with the cluster); default namespace "default". */
  public KubernetesClient client() {
    return client;
  }

  /** The client configuration for {@code namespace}, as a kubeconfig for this cluster would give. */
  public Config clientConfig(String namespace) {
    return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withTrustCerts(true).withNamespace(namespace)
        .withOauthToken(USER).withRequestRetryBackoffLimit(0).build();
  }

  /** A new client (the caller closes it). */
  public KubernetesClient newClient(String namespace) {
    return new KubernetesClientBuilder().withConfig(clientConfig(namespace)).build();
  }

  /** Writes a kubeconfig for this cluster with {@code namespace} as its default namespace. */
  public Path writeKubeconfig(Path file, String namespace) {
    return Kubeconfig.write(file, url(), namespace, USER);
  }

  /** A kubectl with its own kubeconfig and cache directory under {@code workDir/kubectl/name}, namespace default. */
  public Kubectl kubectl(String name) {
    return kubectl(name, "default");
  }

  public Kubectl kubectl(String name, String namespace) {
    Path dir = workDir.resolve("kubectl").resolve(name);
    return new Kubectl(KUBECTL, writeKubeconfig(dir.resolve("kubeconfig"), namespace), dir);
  }

  public void createNamespace(String name) {
    apiServer.createNamespace(name);
  }

  /** Creates the CRD and returns once the API server serves it (Established). */
  public CustomResourceDefinition registerCrd(CustomResourceDefinition crd) {
    CustomResourceDefinition created = client.apiextensions().v1().customResourceDefinitions().resource(crd)
        .createOr(x -> x.update());
    return client.apiextensions().v1().customResourceDefinitions().withName(created.getMetadata().getName())
        .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
            .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 30, TimeUnit.SECONDS);
  }

  /** Creates the CRD read from YAML or JSON. */
  public CustomResourceDefinition registerCrd(InputStream yaml) {
    return registerCrd(Serialization.unmarshal(yaml, CustomResourceDefinition.class));
  }

  public CustomResourceDefinition registerCrd(Path yaml) {
    try (InputStream in = Files.newInputStream(yaml)) {
      return registerCrd(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<StandInKubelet> kubelets() {
    return new ArrayList<>(kubelets.values());
  }

  /** The kubelet of {@code node}, e.g. {@code standin-node-1}. */
  public StandInKubelet kubelet(String node) {
    StandInKubelet k = kubelets.get(node);
    if (k == null) {
      throw new IllegalArgumentException("no node " + node + "; nodes: " + kubelets.keySet());
    }
    return k;
  }

  /** The kubelet running {@code namespace/pod}. */
  public StandInKubelet kubeletOf(String namespace, String pod) {
    var p = client.pods().inNamespace(namespace).withName(pod).get();
    if (p == null || p.getSpec().getNodeName() == null) {
      throw new IllegalStateException("pod " + namespace + "/" + pod + " is not on a node");
    }
    return kubelet(p.getSpec().getNodeName());
  }

  @Override
  public void close() {
    kubelets.values().forEach(StandInKubelet::close);
    if (scheduler != null) {
      scheduler.close();
    }
    if (client != null) {
      client.close();
    }
    apiServer.close();
  }
}
