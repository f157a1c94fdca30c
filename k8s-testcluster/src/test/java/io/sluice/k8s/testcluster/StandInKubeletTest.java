package io.sluice.k8s.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sluice.k8s.testcluster.kubelet.ImageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in kubelet runs pods as local processes and reports them as a kubelet does. */
class StandInKubeletTest {
  static final String NS = "default";
  @TempDir
  static Path tmp;
  static KubeTestCluster k8s;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    Path app = tmp.resolve("demo-app");
    Files.createDirectories(app.resolve("bin"));
    Path run = app.resolve("bin/run.sh");
    // the image's entrypoint: prints where it runs, its arguments, env and the mounted config
    Files.writeString(run, """
        #!/bin/sh
        echo "args: $*"
        echo "pod: $POD_NAME ip: $POD_IP limit: $MEM_LIMIT mode: $MODE"
        echo "conf: $(cat "$CONF_DIR/app.conf")"
        echo "home: $APP_HOME"
        """);
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
    k8s = KubeTestCluster.builder().workDir(tmp.resolve("cluster")).kubelet(k -> k
        .mapPath("/opt/demo", app)
        .image("demo-app", new ImageConfig(List.of("/opt/demo/bin/run.sh"), List.of("default-arg"),
            Map.of("APP_HOME", "/opt/demo", "CONF_DIR", "/etc/demo"), null))
        .pullFailures(Pattern.compile(".*:does-not-exist"))
        .paperPods(p -> "true".equals(p.getMetadata().getLabels().get("paper")))
        .restartBackoff(Duration.ofMillis(500)))
        .start();
    client = k8s.client();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  static Pod pod(String name, String restartPolicy, String... command) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
        .withRestartPolicy(restartPolicy).withTerminationGracePeriodSeconds(30L)
        .addNewContainer().withName("main").withImage("busybox:1.36").withCommand(command).endContainer()
        .endSpec().build();
  }

  static Pod create(Pod pod) {
    return client.pods().inNamespace(NS).resource(pod).create();
  }

  static Pod awaitPod(String name, Predicate<Pod> condition) {
    return client.pods().inNamespace(NS).withName(name).waitUntilCondition(p -> p != null && condition.test(p),
        120, TimeUnit.SECONDS);
  }

  static void awaitGone(String name) {
    client.pods().inNamespace(NS).withName(name).waitUntilCondition(p -> p == null, 120, TimeUnit.SECONDS);
  }

  static ContainerStatus main(Pod p) {
    return p.getStatus().getContainerStatuses().get(0);
  }

  static void awaitDead(long pid) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      assertThat(System.nanoTime()).as("process " + pid + " still alive").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void podRunsItsCommandAsAProcessThenSucceeds() {
    create(pod("ok", "Never", "sh", "-c", "sleep 1; echo done"));
    Pod running = awaitPod("ok", p -> "Running".equals(p.getStatus().getPhase()) || "Succeeded".equals(
        p.getStatus().getPhase()));
    assertThat(running.getStatus().getPodIP()).isEqualTo("127.0.0.1");
    assertThat(running.getSpec().getNodeName()).isEqualTo("standin-node-1");
    Pod done = awaitPod("ok", p -> "Succeeded".equals(p.getStatus().getPhase()));
    assertThat(main(done).getState().getTerminated().getExitCode()).isZero();
    assertThat(main(done).getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(client.pods().inNamespace(NS).withName("ok").getLog()).contains("done");
  }

  @Test
  void failingContainerReportsItsExitCodeAndThePodFails() {
    create(pod("fails", "Never", "sh", "-c", "echo bad >&2; exit 7"));
    Pod failed = awaitPod("fails", p -> "Failed".equals(p.getStatus().getPhase()));
    assertThat(main(failed).getState().getTerminated().getExitCode()).isEqualTo(7);
    assertThat(main(failed).getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(client.pods().inNamespace(NS).withName("fails").getLog()).contains("bad");
  }

  @Test
  void onFailureRestartsTheContainerAndCountsRestarts() {
    create(pod("crashes", "OnFailure", "sh", "-c", "echo crash; exit 1"));
    Pod p = awaitPod("crashes", x -> !x.getStatus().getContainerStatuses().isEmpty()
        && main(x).getRestartCount() >= 2);
    assertThat(p.getStatus().getPhase()).isEqualTo("Running");
    assertThat(main(p).getLastState().getTerminated().getExitCode()).isEqualTo(1);
    client.pods().inNamespace(NS).withName("crashes").delete();
  }

  @Test
  void imageEntrypointRunsFromMappedLocalFilesWithEnvAndMountedConfigMap() {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("demo-conf")
        .endMetadata().addToData("app.conf", "threads=4").build()).create();
    Pod pod = new PodBuilder().withNewMetadata().withName("imaged").endMetadata().withNewSpec()
        .withRestartPolicy("Never")
        .addNewVolume().withName("conf").withNewConfigMap().withName("demo-conf").endConfigMap().endVolume()
        .addNewContainer().withName("main").withImage("registry.local/demo-app:1.0").withArgs("first", "$(MODE)")
        .addNewEnv().withName("MODE").withValue("batch").endEnv()
        .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
        .endFieldRef().endValueFrom().endEnv()
        .addNewEnv().withName("MEM_LIMIT").withNewValueFrom().withNewResourceFieldRef()
        .withResource("limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom().endEnv()
        .withNewResources().addToLimits("memory", new Quantity("512Mi")).endResources()
        .addNewVolumeMount().withName("conf").withMountPath("/etc/demo").endVolumeMount()
        .endContainer().endSpec().build();
    create(pod);
    awaitPod("imaged", p -> "Succeeded".equals(p.getStatus().getPhase()));
    String log = client.pods().inNamespace(NS).withName("imaged").getLog();
    assertThat(log).contains("args: first batch")
        .contains("pod: imaged ip: 127.0.0.1 limit: 512 mode: batch")
        .contains("conf: threads=4")
        .contains("home: " + tmp.resolve("demo-app"));
  }

  @Test
  void deleteSendsSigtermAndThePodGoesOnceTheProcessExits() throws Exception {
    create(pod("graceful", "Always", "sh", "-c",
        "trap 'echo got TERM; exit 0' TERM; echo ready; while true; do sleep 0.2; done"));
    awaitPod("graceful", p -> "Running".equals(p.getStatus().getPhase()));
    long pid = k8s.kubelet("standin-node-1").pid(NS, "graceful", "main").orElseThrow();
    Path log = k8s.kubelet("standin-node-1").logFile(NS, "graceful", "main", false).orElseThrow();
    client.pods().inNamespace(NS).withName("graceful").delete();
    awaitGone("graceful");
    awaitDead(pid);
    assertThat(Files.readString(log)).contains("got TERM");
  }

  @Test
  void deleteKillsAProcessIgnoringSigtermAfterTheGracePeriod() throws Exception {
    Pod stubborn = pod("stubborn", "Always", "sh", "-c", "trap '' TERM; while true; do sleep 0.2; done");
    stubborn.getSpec().setTerminationGracePeriodSeconds(2L);
    create(stubborn);
    awaitPod("stubborn", p -> "Running".equals(p.getStatus().getPhase()));
    long pid = k8s.kubelet("standin-node-1").pid(NS, "stubborn", "main").orElseThrow();
    client.pods().inNamespace(NS).withName("stubborn").delete();
    Pod terminating = client.pods().inNamespace(NS).withName("stubborn").get();
    if (terminating != null) {
      assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
    }
    awaitGone("stubborn");
    awaitDead(pid);
  }

  @Test
  void containerOverItsMemoryLimitIsOomKilled() {
    Pod hog = pod("hog", "Never", "sh", "-c", "head -c 400m /dev/zero | tail > /dev/null");
    hog.getSpec().getContainers().get(0).setResources(new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
        .addToLimits("memory", new Quantity("64Mi")).build());
    create(hog);
    Pod killed = awaitPod("hog", p -> "Failed".equals(p.getStatus().getPhase()));
    assertThat(main(killed).getState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(main(killed).getState().getTerminated().getExitCode()).isEqualTo(137);
  }

  @Test
  void jvmExitingOnOutOfMemoryErrorIsReportedOomKilled() throws Exception {
    Path src = tmp.resolve("Hog.java");
    Files.writeString(src, """
        public class Hog {
          public static void main(String[] a) {
            java.util.List<long[]> keep = new java.util.ArrayList<>();
            while (true) keep.add(new long[1 << 20]);
          }
        }
        """);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    create(pod("jvm-hog", "Never", java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1",
        src.toString()));
    Pod killed = awaitPod("jvm-hog", p -> "Failed".equals(p.getStatus().getPhase()));
    assertThat(main(killed).getState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(main(killed).getState().getTerminated().getExitCode()).isEqualTo(137);
  }

  @Test
  void imagePullFailureKeepsThePodPendingWithErrImagePullThenBackOff() {
    Pod p = pod("unpullable", "Always", "sh", "-c", "true");
    p.getSpec().getContainers().get(0).setImage("registry.local/missing:does-not-exist");
    create(p);
    Pod backoff = awaitPod("unpullable", x -> !x.getStatus().getContainerStatuses().isEmpty()
        && main(x).getState().getWaiting() != null
        && "ImagePullBackOff".equals(main(x).getState().getWaiting().getReason()));
    assertThat(backoff.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(main(backoff).getState().getWaiting().getMessage()).contains("registry.local/missing:does-not-exist");
    client.pods().inNamespace(NS).withName("unpullable").delete();
  }

  @Test
  void paperPodsRunWithoutProcessesAndGoWhenDeleted() {
    for (int i = 0; i < 20; i++) {
      Pod p = pod("paper-" + i, "Always", "sh", "-c", "exit 1");
      p.getMetadata().setLabels(Map.of("paper", "true"));
      create(p);
    }
    for (int i = 0; i < 20; i++) {
      Pod running = awaitPod("paper-" + i, x -> "Running".equals(x.getStatus().getPhase()));
      assertThat(main(running).getReady()).isTrue();
      assertThat(k8s.kubelet("standin-node-1").pid(NS, "paper-" + i, "main")).isEmpty();
    }
    client.pods().inNamespace(NS).withLabel("paper", "true").delete();
    for (int i = 0; i < 20; i++) {
      awaitGone("paper-" + i);
    }
  }

  @Test
  void deletingTheOwnerPodStopsAndRemovesItsPods() throws Exception {
    Pod driver = create(pod("driver", "Never", "sh", "-c", "exec sleep 600"));
    awaitPod("driver", p -> "Running".equals(p.getStatus().getPhase()));
    long[] pids = new long[2];
    for (int i = 0; i < 2; i++) {
      Pod exec = pod("executor-" + i, "Never", "sh", "-c", "exec sleep 600");
      exec.getMetadata().setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
          .withName("driver").withUid(driver.getMetadata().getUid()).withController(true).build()));
      exec.getSpec().setTerminationGracePeriodSeconds(3L);
      create(exec);
      awaitPod("executor-" + i, p -> "Running".equals(p.getStatus().getPhase()));
      pids[i] = k8s.kubelet("standin-node-1").pid(NS, "executor-" + i, "main").orElseThrow();
    }
    client.pods().inNamespace(NS).withName("driver").withGracePeriod(3).delete();
    awaitGone("driver");
    awaitGone("executor-0");
    awaitGone("executor-1");
    awaitDead(pids[0]);
    awaitDead(pids[1]);
  }
}
