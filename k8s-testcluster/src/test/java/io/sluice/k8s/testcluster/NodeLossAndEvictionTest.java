package io.sluice.k8s.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes over HTTPS: pods spread over them, a kubelet evicts a pod, a node is lost; kubectl speaks TLS. */
class NodeLossAndEvictionTest {
  @TempDir
  static Path tmp;
  static KubeTestCluster k8s;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    k8s = KubeTestCluster.builder().workDir(tmp).nodes(2).tls(true).start();
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  static Pod sleeper(String name) {
    return client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName(name)
        .endMetadata().withNewSpec().withRestartPolicy("Always").addNewContainer().withName("main")
        .withImage("busybox:1.36").withCommand("sh", "-c", "exec sleep 600").endContainer().endSpec().build())
        .create();
  }

  static Pod await(String name, Predicate<Pod> condition) {
    return client.pods().inNamespace("default").withName(name)
        .waitUntilCondition(p -> p != null && condition.test(p), 120, TimeUnit.SECONDS);
  }

  static boolean running(Pod p) {
    return "Running".equals(p.getStatus().getPhase());
  }

  @Test
  void kubectlTalksTlsAndSeesBothNodesReady() {
    assertThat(k8s.url()).startsWith("https://");
    Kubectl.Result nodes = k8s.kubectl("nodes").run("get", "nodes");
    assertThat(nodes.stdout()).as(nodes.toString()).contains("standin-node-1").contains("standin-node-2")
        .contains("Ready");
  }

  @Test
  void evictedPodFailsWithReasonEvictedAndItsProcessIsKilled() throws Exception {
    sleeper("evictee");
    Pod running = await("evictee", NodeLossAndEvictionTest::running);
    var kubelet = k8s.kubelet(running.getSpec().getNodeName());
    long pid = kubelet.pid("default", "evictee", "main").orElseThrow();
    kubelet.evict("default", "evictee", "The node was low on resource: memory.");
    Pod evicted = await("evictee", p -> "Failed".equals(p.getStatus().getPhase()));
    assertThat(evicted.getStatus().getReason()).isEqualTo("Evicted");
    assertThat(evicted.getStatus().getMessage()).contains("low on resource: memory");
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void lostNodeMarksItsPodsNodeLostThenTheyAreDeleted() throws Exception {
    sleeper("lost-a");
    sleeper("lost-b");
    Pod a = await("lost-a", NodeLossAndEvictionTest::running);
    Pod b = await("lost-b", NodeLossAndEvictionTest::running);
    assertThat(a.getSpec().getNodeName()).isNotEqualTo(b.getSpec().getNodeName()); // spread over the two nodes
    String lostNode = "standin-node-2";
    String onLost = a.getSpec().getNodeName().equals(lostNode) ? "lost-a" : "lost-b";
    String onOther = onLost.equals("lost-a") ? "lost-b" : "lost-a";
    k8s.kubelet(lostNode).loseNode(Duration.ofSeconds(2));
    Pod marked = await(onLost, p -> "NodeLost".equals(p.getStatus().getReason()));
    assertThat(marked.getStatus().getMessage()).contains(lostNode);
    client.pods().inNamespace("default").withName(onLost).waitUntilCondition(p -> p == null, 120, TimeUnit.SECONDS);
    assertThat(client.nodes().withName(lostNode).get().getStatus().getConditions()).anyMatch(c ->
        c.getType().equals("Ready") && c.getStatus().equals("Unknown"));
    assertThat(running(client.pods().inNamespace("default").withName(onOther).get())).isTrue();
  }
}
