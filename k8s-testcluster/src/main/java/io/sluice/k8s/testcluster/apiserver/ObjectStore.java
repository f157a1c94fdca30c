package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * fabric8's CRUD store (objects, resource versions, WebSocket watches, finalizers, the CRD status subresource), with
 * the few hooks the stand-in needs: its write lock, so that a read-modify-write (graceful pod deletion, status kept
 * across a main-resource update) is one atomic step as in etcd, and a callback for every removed object (the garbage
 * collector's input).
 */
final class ObjectStore extends KubernetesCrudDispatcher {
  private volatile Lock writeLock;
  private volatile Consumer<ObjectNode> onRemoved = o -> {};

  ObjectStore() {
    // Every write takes the store's write lock and reports it through locked(), a hook fabric8 keeps for tests.
    // A delete of an object that does not exist takes it without changing anything.
    handleDelete("/api/v1/namespaces/default/configmaps/sluice-standin-lock-probe");
    if (writeLock == null) {
      throw new IllegalStateException("the fabric8 mock no longer reports its write lock through locked(Lock); "
          + "the stand-in API server cannot make its read-modify-write steps atomic");
    }
  }

  @Override
  protected void locked(Lock lock) {
    if (lock instanceof ReentrantReadWriteLock.WriteLock) {
      writeLock = lock;
    }
  }

  void onRemoved(Consumer<ObjectNode> listener) {
    this.onRemoved = listener;
  }

  /** Runs {@code step} holding the store's write lock (reentrant: the mock's own handlers may be called inside). */
  <T> T atomically(Supplier<T> step) {
    writeLock.lock();
    try {
      return step.get();
    } finally {
      writeLock.unlock();
    }
  }

  /** The stored object at {@code path} (a path naming one object; the query string is ignored). */
  Optional<ObjectNode> get(String path) {
    return atomically(() -> {
      Map.Entry<AttributeSet, String> e = findResource(getKey(stripQuery(path)));
      return e == null ? Optional.<ObjectNode>empty() : Optional.of(Json.parse(e.getValue()));
    });
  }

  /** Replaces the stored object at {@code path} as is (no metadata bookkeeping but a new resourceVersion). */
  ObjectNode replace(String path, ObjectNode object) {
    return atomically(() -> {
      String p = stripQuery(path);
      Map.Entry<AttributeSet, String> e = findResource(getKey(p));
      if (e == null) {
        throw new IllegalStateException("no object at " + p);
      }
      Json.metadata(object).put("resourceVersion", String.valueOf(requestResourceVersion()));
      processEvent(p, getKey(p), e.getKey(), null, object.toString());
      return object;
    });
  }

  /** Every stored object (a snapshot). */
  List<ObjectNode> all() {
    return atomically(() -> {
      List<ObjectNode> out = new ArrayList<>();
      for (String s : map.values()) {
        out.add(Json.parse(s));
      }
      return out;
    });
  }

  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String old = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    if (newState == null && old != null) {
      onRemoved.accept(Json.parse(old));
    }
  }

  static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
