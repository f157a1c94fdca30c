package io.sluice.k8s.testcluster;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The stand-in of kube-scheduler: binds each new pod (schedulerName default-scheduler, no nodeName) to one of the
 * ready nodes in turn, through the pods' binding subresource as kube-scheduler does. With no node, pods stay Pending.
 */
final class StandInScheduler implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(StandInScheduler.class);

  private final KubernetesClient client;
  private final Supplier<List<String>> readyNodes;
  private final AtomicInteger next = new AtomicInteger();
  private final SharedIndexInformer<Pod> informer;

  StandInScheduler(KubernetesClient client, Supplier<List<String>> readyNodes) {
    this.client = client;
    this.readyNodes = readyNodes;
    informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        schedule(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        schedule(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {}
    }, 0);
  }

  private void schedule(Pod pod) {
    if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()
        || pod.getMetadata().getDeletionTimestamp() != null
        || !"default-scheduler".equals(pod.getSpec().getSchedulerName())) {
      return;
    }
    List<String> nodes = readyNodes.get();
    if (nodes.isEmpty()) {
      return;
    }
    String node = nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
    try {
      client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder().withNewMetadata()
          .withName(pod.getMetadata().getName()).endMetadata().withNewTarget().withKind("Node").withName(node)
          .endTarget().build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 404) {
        LOG.warn("cannot bind pod {}/{} to {}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
            node, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    informer.stop();
    client.close();
  }
}
