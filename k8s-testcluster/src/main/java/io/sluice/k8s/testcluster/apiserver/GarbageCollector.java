package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What kube-controller-manager's garbage collector and namespace controller do: when an object is removed, its
 * dependents (objects with an ownerReference to its uid) are deleted, or with propagation policy Orphan lose that
 * reference; a dependent with another owner still present only loses the dangling reference. Deletions cascade. A
 * periodic sweep also deletes objects whose owners are all gone (created after their owner was deleted). A removed
 * namespace takes its objects with it. Foreground propagation is handled like Background (the owner goes first).
 */
final class GarbageCollector implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(GarbageCollector.class);
  private static final long SWEEP_MILLIS = 3000;

  private final ObjectStore store;
  private final ApiDispatcher api;
  private final BlockingQueue<ObjectNode> removed = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;

  GarbageCollector(ObjectStore store, ApiDispatcher api) {
    this.store = store;
    this.api = api;
    store.onRemoved(removed::add);
    thread = new Thread(this::run, "standin-apiserver-gc");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    long nextSweep = System.currentTimeMillis() + SWEEP_MILLIS;
    while (running) {
      try {
        ObjectNode gone = removed.poll(Math.max(1, nextSweep - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        if (gone != null) {
          collect(gone);
        } else if (System.currentTimeMillis() >= nextSweep) {
          sweep();
          nextSweep = System.currentTimeMillis() + SWEEP_MILLIS;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("garbage collection step failed", e);
        }
      }
    }
  }

  private void collect(ObjectNode gone) {
    String uid = gone.path("metadata").path("uid").asText("");
    String policy = api.propagationPolicyOf(uid);
    Discovery discovery = api.discovery();
    if (gone.path("kind").asText().equals("Namespace")) {
      String ns = gone.path("metadata").path("name").asText();
      for (ObjectNode o : store.all()) {
        if (ns.equals(o.path("metadata").path("namespace").asText(null))) {
          typeOf(discovery, o).ifPresent(t -> api.deleteDependent(t, ns, name(o)));
        }
      }
    }
    List<ObjectNode> all = store.all();
    Set<String> uids = uids(all);
    for (ObjectNode o : all) {
      if (!ownedBy(o, uid)) {
        continue;
      }
      Optional<ResourceType> type = typeOf(discovery, o);
      if (type.isEmpty()) {
        continue;
      }
      boolean otherOwnerAlive = false;
      for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
        otherOwnerAlive |= !ref.path("uid").asText().equals(uid) && uids.contains(ref.path("uid").asText());
      }
      String ns = o.path("metadata").path("namespace").asText(null);
      if (policy.equals("Orphan") || otherOwnerAlive) {
        dropOwner(type.get(), ns, name(o), Set.of(uid));
      } else {
        LOG.debug("deleting {} {}/{}: its owner {} is gone", o.path("kind").asText(), ns, name(o), uid);
        api.deleteDependent(type.get(), ns, name(o));
      }
    }
  }

  /** Deletes objects none of whose owners exist any more; drops references to missing owners of the others. */
  private void sweep() {
    List<ObjectNode> all = store.all();
    Set<String> uids = uids(all);
    Discovery discovery = null;
    for (ObjectNode o : all) {
      JsonNode refs = o.path("metadata").path("ownerReferences");
      if (refs.isEmpty()) {
        continue;
      }
      Set<String> missing = new HashSet<>();
      refs.forEach(r -> {
        if (!uids.contains(r.path("uid").asText())) {
          missing.add(r.path("uid").asText());
        }
      });
      if (missing.isEmpty()) {
        continue;
      }
      if (discovery == null) {
        discovery = api.discovery();
      }
      Optional<ResourceType> type = typeOf(discovery, o);
      String ns = o.path("metadata").path("namespace").asText(null);
      if (type.isPresent() && missing.size() == refs.size()) {
        api.deleteDependent(type.get(), ns, name(o));
      } else if (type.isPresent()) {
        dropOwner(type.get(), ns, name(o), missing);
      }
    }
  }

  private void dropOwner(ResourceType type, String ns, String name, Set<String> ownerUids) {
    String path = type.objectPath(ns, name);
    store.atomically(() -> {
      store.get(path).ifPresent(o -> {
        ArrayNode kept = Json.MAPPER.createArrayNode();
        o.path("metadata").path("ownerReferences").forEach(r -> {
          if (!ownerUids.contains(r.path("uid").asText())) {
            kept.add(r);
          }
        });
        if (kept.isEmpty()) {
          Json.metadata(o).remove("ownerReferences");
        } else {
          Json.metadata(o).set("ownerReferences", kept);
        }
        store.replace(path, o);
      });
      return null;
    });
  }

  private static boolean ownedBy(JsonNode o, String uid) {
    for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
      if (ref.path("uid").asText().equals(uid)) {
        return true;
      }
    }
    return false;
  }

  private static Set<String> uids(List<ObjectNode> all) {
    Set<String> uids = new HashSet<>();
    all.forEach(o -> uids.add(o.path("metadata").path("uid").asText()));
    return uids;
  }

  private static Optional<ResourceType> typeOf(Discovery discovery, JsonNode o) {
    return discovery.findKind(o.path("apiVersion").asText(), o.path("kind").asText());
  }

  private static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
