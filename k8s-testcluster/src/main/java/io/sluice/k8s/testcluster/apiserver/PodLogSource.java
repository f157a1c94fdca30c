package io.sluice.k8s.testcluster.apiserver;

import java.nio.file.Path;
import java.util.Optional;

/** Where a container's log is; kube-apiserver asks the pod's kubelet, the stand-in asks the stand-in kubelets. */
@FunctionalInterface
public interface PodLogSource {
  /**
   * @param previous the log of the container's previous run (before its last restart)
   * @return the log file, or empty when the container has not started (or has no previous run)
   */
  Optional<Path> logFile(String namespace, String pod, String container, boolean previous);
}
