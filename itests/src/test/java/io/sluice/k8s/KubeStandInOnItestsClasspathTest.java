package io.sluice.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.sluice.k8s.testcluster.KubeTestCluster;
import io.sluice.k8s.testcluster.Kubectl;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes stand-in cluster works on the end-to-end tests' class path (next to Sluice's Netty and Hadoop's
 * minicluster): a JVM runs as a pod and real kubectl lists it by label.
 */
class KubeStandInOnItestsClasspathTest {
  @TempDir
  Path tmp;

  @Test
  void jvmPodRunsToCompletionAndKubectlListsItByLabel() {
    try (KubeTestCluster k8s = KubeTestCluster.builder().workDir(tmp).start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Pod pod = new PodBuilder().withNewMetadata().withName("jvm").addToLabels("sluice.io/app-id", "app-1")
          .endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer().withName("main")
          .withImage("sluice:test").withCommand(java, "-Xmx32m", "-version").endContainer().endSpec().build();
      k8s.client().pods().inNamespace("default").resource(pod).create();
      Pod done = k8s.client().pods().inNamespace("default").withName("jvm").waitUntilCondition(
          p -> p != null && "Succeeded".equals(p.getStatus().getPhase()), 120, TimeUnit.SECONDS);
      assertThat(done.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isZero();
      assertThat(k8s.client().pods().inNamespace("default").withName("jvm").getLog()).contains("version");
      Kubectl.Result r = k8s.kubectl("user").run("get", "pods", "-l", "sluice.io/app-id=app-1");
      assertThat(r.stdout()).as(r.toString()).contains("jvm").contains("Completed");
    }
  }
}
