package io.sluice.k8s.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in API server alone (no nodes): the semantics it adds to the fabric8 CRUD store. */
class StandInApiServerTest {
  @TempDir
  static Path tmp;
  static KubeTestCluster k8s;
  static KubernetesClient client;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    k8s = KubeTestCluster.builder().workDir(tmp).nodes(0).start();
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "x").endMetadata().withNewSpec()
        .addNewContainer().withName("main").withImage("busybox:1.36").withCommand("sleep", "60").endContainer()
        .endSpec().build();
  }

  static String firstLine(String path) throws Exception {
    // a raw watch, as client-go streams it
    HttpRequest req = HttpRequest.newBuilder(URI.create(k8s.url() + path)).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<java.io.InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    var in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
    var line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return in.readLine();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    try {
      return line.get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no watch event within 60 s");
    } finally {
      r.body().close();
    }
  }

  @Test
  void newPodIsPendingWithDefaultsAndItsStatusSurvivesMainResourceWrites() {
    Pod created = client.pods().inNamespace("default").resource(pod("defaults")).create();
    assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(created.getStatus().getQosClass()).isEqualTo("BestEffort");
    assertThat(created.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(created.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);

    client.pods().inNamespace("default").withName("defaults").editStatus(p -> {
      p.setStatus(new PodStatusBuilder(p.getStatus()).withPhase("Running").build());
      return p;
    });
    // a label change through the main resource carries the old status; the stored status stays
    Pod stale = client.pods().inNamespace("default").withName("defaults").get();
    stale.getStatus().setPhase("Pending");
    stale.getMetadata().getLabels().put("changed", "yes");
    client.pods().inNamespace("default").resource(stale).update();
    Pod now = client.pods().inNamespace("default").withName("defaults").get();
    assertThat(now.getMetadata().getLabels()).containsEntry("changed", "yes");
    assertThat(now.getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void podSpecIsImmutableButForItsImage() {
    client.pods().inNamespace("default").resource(pod("immutable")).create();
    var e = catchThrowableOfType(() -> client.pods().inNamespace("default").withName("immutable")
        .edit(p -> new PodBuilder(p).editSpec().withRestartPolicy("Never").endSpec().build()),
        KubernetesClientException.class);
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getMessage()).contains("pod updates may not change fields");
  }

  @Test
  void errorsAreStatusObjectsWithTheRealCodes() throws Exception {
    var missing = catchThrowableOfType(() -> client.pods().inNamespace("default").withName("nope").edit(p -> p),
        KubernetesClientException.class);
    assertThat(missing.getCode()).isEqualTo(404);
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("twice")
        .endMetadata().build()).create();
    var dup = catchThrowableOfType(() -> client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("twice").endMetadata().build()).create(), KubernetesClientException.class);
    assertThat(dup.getCode()).isEqualTo(409);
    assertThat(dup.getStatus().getReason()).isEqualTo("AlreadyExists");
    HttpResponse<String> noKind = http.send(HttpRequest.newBuilder(URI.create(k8s.url()
        + "/apis/nothere.example.io/v1/namespaces/default/things")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noKind.statusCode()).isEqualTo(404);
    assertThat(noKind.body()).contains("\"kind\":\"Status\"").contains("the server could not find the requested "
        + "resource");
  }

  @Test
  void labelSelectorsWithSetsAndFieldSelectorsFilterLists() {
    for (String[] p : new String[][] {{"sel-a", "driver"}, {"sel-b", "executor"}, {"sel-c", "other"}}) {
      Pod pod = pod(p[0]);
      pod.getMetadata().setLabels(Map.of("role", p[1], "sel", "yes"));
      client.pods().inNamespace("default").resource(pod).create();
    }
    assertThat(client.pods().inNamespace("default").withLabelIn("role", "driver", "executor").list().getItems())
        .extracting(x -> x.getMetadata().getName()).containsExactlyInAnyOrder("sel-a", "sel-b");
    assertThat(client.pods().inNamespace("default").withLabel("sel", "yes").withField("metadata.name", "sel-c")
        .list().getItems()).extracting(x -> x.getMetadata().getName()).containsExactly("sel-c");
    assertThat(client.pods().inNamespace("default").withLabel("sel", "yes").withoutField("metadata.name", "sel-c")
        .list().getItems()).hasSize(2);
  }

  @Test
  void strategicMergePatchMergesContainerListsByName() {
    client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder().withNewMetadata()
        .withName("web").endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("a", "b")
        .endSelector().withNewTemplate().withNewMetadata().addToLabels("a", "b").endMetadata().withNewSpec()
        .addNewContainer().withName("app").withImage("app:1").withCommand("run").endContainer()
        .addNewContainer().withName("sidecar").withImage("side:1").endContainer()
        .endSpec().endTemplate().endSpec().build()).create();
    client.apps().deployments().inNamespace("default").withName("web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"app:2\"}]}}}}");
    var containers = client.apps().deployments().inNamespace("default").withName("web").get().getSpec()
        .getTemplate().getSpec().getContainers();
    assertThat(containers).extracting(c -> c.getName() + "=" + c.getImage()).containsExactly("app=app:2",
        "sidecar=side:1");
    assertThat(containers.get(0).getCommand()).containsExactly("run");
  }

  @Test
  void watchFromAResourceVersionSeesWhatWasRemovedSinceAndNoReplay() throws Exception {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("short-lived")
        .addToLabels("rv", "test").endMetadata().build()).create();
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("stays")
        .addToLabels("rv", "test").endMetadata().build()).create();
    String rv = client.configMaps().inNamespace("default").withLabel("rv", "test").list().getMetadata()
        .getResourceVersion();
    client.configMaps().inNamespace("default").withName("short-lived").delete();
    // a client that listed at rv and starts watching only now must still hear of the removal, and of nothing else
    String first = firstLine("/api/v1/namespaces/default/configmaps?watch=true&labelSelector=rv%3Dtest"
        + "&resourceVersion=" + rv);
    assertThat(first).contains("\"type\":\"DELETED\"").contains("short-lived").doesNotContain("\"stays\"");
  }

  @Test
  void watchSendsAnObjectThatStopsMatchingTheSelectorAsDeleted() throws Exception {
    client.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("moving")
        .addToLabels("phase", "a").endMetadata().build()).create();
    String rv = client.configMaps().inNamespace("default").list().getMetadata().getResourceVersion();
    var events = new java.util.concurrent.LinkedBlockingQueue<String>();
    var watch = client.configMaps().inNamespace("default").withLabel("phase", "a")
        .watch(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withResourceVersion(rv).build(),
            new io.fabric8.kubernetes.client.Watcher<io.fabric8.kubernetes.api.model.ConfigMap>() {
              @Override
              public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap cm) {
                events.add(action + " " + cm.getMetadata().getName());
              }

              @Override
              public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
            });
    try {
      client.configMaps().inNamespace("default").withName("moving").edit(c -> new ConfigMapBuilder(c)
          .editMetadata().addToLabels("phase", "b").endMetadata().build());
      assertThat(events.poll(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("DELETED moving");
    } finally {
      watch.close();
    }
  }

  @Test
  void podsStayPendingWithoutNodesAndGoAtOnceWhenDeleted() {
    client.pods().inNamespace("default").resource(pod("unscheduled")).create();
    assertThat(client.pods().inNamespace("default").withName("unscheduled").get().getSpec().getNodeName()).isNull();
    client.pods().inNamespace("default").withName("unscheduled").delete();
    assertThat(client.pods().inNamespace("default").withName("unscheduled").get()).isNull();
  }
}
