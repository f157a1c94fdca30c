package io.sluice.k8s.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.sluice.k8s.testcluster.apiserver.AccessDenial;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl binary against the stand-in cluster: what a user types works as against a real cluster. */
class KubectlOnStandInTest {
  @TempDir
  static Path tmp;
  static KubeTestCluster k8s;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    k8s = KubeTestCluster.builder().workDir(tmp).start();
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  static Path manifest(String name) throws IOException {
    Path p = tmp.resolve(name);
    try (InputStream in = KubectlOnStandInTest.class.getResourceAsStream("/manifests/" + name)) {
      Files.write(p, in.readAllBytes());
    }
    return p;
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void versionAndDiscoveryLetKubectlFindBuiltinAndCustomResources() throws Exception {
    Kubectl kubectl = k8s.kubectl("discovery");
    Kubectl.Result version = kubectl.run("version");
    assertThat(version.ok()).as(version.toString()).isTrue();
    assertThat(version.stdout()).contains("Server Version: v1.32.0");

    k8s.registerCrd(manifest("crd-widgets.yaml"));
    Kubectl.Result resources = kubectl.run("api-resources");
    assertThat(resources.ok()).as(resources.toString()).isTrue();
    assertThat(resources.stdout()).contains("widgets").contains("wd").contains("example.sluice.io/v1")
        .contains("pods").contains("configmaps");
  }

  @Test
  void applyCreatesThenUpdatesConfigMapThroughStrategicMergePatch() throws Exception {
    Kubectl kubectl = k8s.kubectl("apply-cm");
    Kubectl.Result created = kubectl.run("apply", "-f", manifest("configmap.yaml").toString());
    assertThat(created.stdout()).as(created.toString()).contains("configmap/settings created");
    Kubectl.Result updated = kubectl.run("apply", "-f", manifest("configmap-v2.yaml").toString());
    assertThat(updated.stdout()).as(updated.toString()).contains("configmap/settings configured");
    var data = client.configMaps().inNamespace("default").withName("settings").get().getData();
    assertThat(data).containsEntry("a", "10").containsEntry("c", "3").doesNotContainKey("b");

    Kubectl.Result table = kubectl.run("get", "configmaps", "-l", "app=demo");
    assertThat(table.stdout()).as(table.toString()).contains("NAME").contains("DATA").contains("settings");
  }

  @Test
  void customResourceShowsItsPrinterColumnsAndStatusPatchesApply() throws Exception {
    k8s.registerCrd(manifest("crd-widgets.yaml"));
    Kubectl kubectl = k8s.kubectl("widgets");
    Kubectl.Result created = kubectl.run("apply", "-f", manifest("widget.yaml").toString());
    assertThat(created.stdout()).as(created.toString()).contains("widget.example.sluice.io/gear created");

    Kubectl.Result patched = kubectl.run("patch", "widget", "gear", "--subresource=status", "--type", "merge", "-p",
        "{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
    assertThat(patched.ok()).as(patched.toString()).isTrue();

    Kubectl.Result table = kubectl.run("get", "wd");
    assertThat(table.ok()).as(table.toString()).isTrue();
    String[] lines = table.stdout().split("\n");
    assertThat(lines[0]).containsSubsequence("NAME", "PHASE", "SIZE", "READY", "AGE");
    assertThat(lines[1]).containsSubsequence("gear", "Running", "3", "True");

    // a write to the main resource leaves the status alone, as the status subresource owns it
    Kubectl.Result spec = kubectl.run("patch", "widget", "gear", "--type", "merge", "-p",
        "{\"spec\":{\"size\":5},\"status\":{\"phase\":\"Hacked\"}}");
    assertThat(spec.ok()).as(spec.toString()).isTrue();
    GenericKubernetesResource gear = client.genericKubernetesResources("example.sluice.io/v1", "Widget")
        .inNamespace("default").withName("gear").get();
    assertThat(gear.get("status", "phase").toString()).isEqualTo("Running");
    assertThat(gear.get("spec", "size").toString()).isEqualTo("5");
  }

  @Test
  void getPodsWithLabelSelectorPrintsReadyStatusRestartsAndLogsWork() throws Exception {
    Kubectl kubectl = k8s.kubectl("pods");
    Kubectl.Result applied = kubectl.run("apply", "-f", manifest("pod-sleeper.yaml").toString());
    assertThat(applied.stdout()).as(applied.toString()).contains("pod/sleeper created");
    Kubectl.Result waited = kubectl.run("wait", "--for=condition=Ready", "pod/sleeper", "--timeout=90s");
    assertThat(waited.stdout()).as(waited.toString()).contains("condition met");

    Kubectl.Result table = kubectl.run("get", "pods", "-l", "app=demo,role in (worker,driver)", "-o", "wide");
    String[] lines = table.stdout().split("\n");
    assertThat(lines[0]).as(table.toString()).containsSubsequence("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
        "NODE");
    assertThat(lines[1]).containsSubsequence("sleeper", "1/1", "Running", "0", "127.0.0.1", "standin-node-1");
    assertThat(kubectl.run("get", "pods", "-l", "app=other").stderr()).contains("No resources found");

    Kubectl.Result logs = kubectl.run("logs", "sleeper");
    assertThat(logs.stdout()).as(logs.toString()).contains("started sleeper");

    Kubectl.Result deleted = kubectl.run("delete", "pod", "sleeper");
    assertThat(deleted.stdout()).as(deleted.toString()).contains("pod \"sleeper\" deleted");
    assertThat(client.pods().inNamespace("default").withName("sleeper").get()).isNull();
  }

  @Test
  void watchStreamsChangesToKubectlGetW() throws Exception {
    Kubectl kubectl = k8s.kubectl("watch");
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("watched")
        .addToLabels("w", "yes").endMetadata().addToData("k", "v").build()).create();
    try (Kubectl.Running watch = kubectl.start("get", "configmaps", "-l", "w=yes", "-w")) {
      await("the initial listing", () -> watch.stdoutSoFar().contains("watched"));
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
          .withName("watched-2").addToLabels("w", "yes").endMetadata().build()).create();
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
          .withName("not-watched").addToLabels("w", "no").endMetadata().build()).create();
      await("the new config map in the watch", () -> watch.stdoutSoFar().contains("watched-2"));
      Kubectl.Result out = watch.stop();
      assertThat(out.stdout()).doesNotContain("not-watched");
      // the object listed first is not replayed by the watch that follows the list
      assertThat(out.stdout().split("watched ", -1)).hasSize(2);
    }
  }

  @Test
  void waitForJsonPathSeesAStatusChangeMadeLater() throws Exception {
    k8s.registerCrd(manifest("crd-widgets.yaml"));
    var widgets = client.genericKubernetesResources("example.sluice.io/v1", "Widget").inNamespace("default");
    widgets.resource(new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("example.sluice.io/v1").withKind("Widget").withNewMetadata().withName("slow").endMetadata()
        .addToAdditionalProperties("spec", java.util.Map.of("size", 1)).build()).create();
    Kubectl kubectl = k8s.kubectl("wait");
    String watches = "watch widgets.example.sluice.io";
    long before = k8s.apiServer().requestCounts().getOrDefault(watches, 0L);
    try (Kubectl.Running wait = kubectl.start("wait", "widget/slow", "--for=jsonpath={.status.phase}=Done",
        "--timeout=60s")) {
      await("kubectl to watch", () -> k8s.apiServer().requestCounts().getOrDefault(watches, 0L) > before);
      widgets.withName("slow").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"status\":{\"phase\":\"Done\"}}");
      await("kubectl wait to end", () -> wait.stdoutSoFar().contains("condition met"));
    }
  }

  @Test
  void deletingAnOwnerCascadesToItsDependents() throws Exception {
    var owner = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata()
        .withName("owner").endMetadata().build()).create();
    for (String name : new String[] {"child-a", "child-b"}) {
      client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName(name)
          .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
              .withName("owner").withUid(owner.getMetadata().getUid()).build())
          .endMetadata().build()).create();
    }
    Kubectl kubectl = k8s.kubectl("cascade");
    Kubectl.Result deleted = kubectl.run("delete", "configmap", "owner");
    assertThat(deleted.ok()).as(deleted.toString()).isTrue();
    await("the dependents to be collected", () -> client.configMaps().inNamespace("default").withName("child-a")
        .get() == null && client.configMaps().inNamespace("default").withName("child-b").get() == null);
  }

  @Test
  void createInAMissingNamespaceFailsAsOnARealServer() throws Exception {
    Kubectl kubectl = k8s.kubectl("missing-ns", "nowhere");
    Kubectl.Result r = kubectl.run("create", "configmap", "x", "--from-literal=a=b");
    assertThat(r.ok()).isFalse();
    assertThat(r.stderr()).as(r.toString()).contains("namespaces \"nowhere\" not found");
  }

  @Test
  void deniedRequestIsForbiddenNamingTheVerb() throws Exception {
    k8s.createNamespace("locked");
    k8s.apiServer().deny(new AccessDenial("create", "", "secrets", "locked"));
    try {
      Kubectl.Result r = k8s.kubectl("denied", "locked").run("create", "secret", "generic", "s",
          "--from-literal=a=b");
      assertThat(r.ok()).isFalse();
      assertThat(r.stderr()).as(r.toString()).contains("secrets is forbidden").contains("cannot create resource \"secrets\"")
          .contains("in the namespace \"locked\"");
    } finally {
      k8s.apiServer().allowAll();
    }
  }

  @Test
  void invalidPodIsRejectedWith422() {
    Pod bad = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("Bad_Name").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("x").endContainer().endSpec().build();
    var e = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> client.pods().inNamespace("default").resource(bad).create(),
        io.fabric8.kubernetes.client.KubernetesClientException.class);
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getMessage()).contains("metadata.name").contains("RFC 1123");
  }
}
