package io.sluice.k8s.testcluster.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.lang.reflect.Field;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
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
  private static final Logger LOG = LogManager.getLogger(ObjectStore.class);
  private volatile Lock writeLock;
  private volatile Consumer<ObjectNode> onRemoved = o -> {};
  private final Set<?> watchListeners;
  /** Recent removals by the resourceVersion of the removal, so a watch from an older version still sees them. */
  private final java.util.NavigableMap<Long, String> removals = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final Map<String, Long> removalVersionByUid = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int REMOVALS_KEPT = 5000;

  ObjectStore() {
    // The mock keeps its watch listeners in a private set and removes a closed one only after shutting down its
    // sender, so an event written in between fails; the stand-in removes a watch from the set before closing it.
    try {
      Field f = KubernetesCrudDispatcher.class.getDeclaredField("watchEventListeners");
      f.setAccessible(true);
      watchListeners = (Set<?>) f.get(this);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new IllegalStateException("the fabric8 mock no longer keeps its watch listeners in watchEventListeners",
          e);
    }
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

  /** Stops sending events to a watch (under the write lock, so no event is being sent to it meanwhile). */
  void unregisterWatch(Object listener) {
    atomically(() -> watchListeners.remove(listener));
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

  /** Objects removed after resourceVersion {@code since}, as they were when removed (with the removal's version). */
  java.util.List<String> removedSince(long since) {
    return new ArrayList<>(removals.tailMap(since, false).values());
  }

  /** The resourceVersion of the removal of the object with this uid (0 if unknown). */
  long removalVersion(String uid) {
    return removalVersionByUid.getOrDefault(uid, 0L);
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
    try {
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    } catch (RejectedExecutionException e) {
      // a watch closed on its own (its sender stopped) while still registered: the change is stored; drop the watch
      LOG.warn("a closed watch was still registered; some watchers may have missed the change at {}", path);
      watchListeners.removeIf(ObjectStore::senderStopped);
    }
    if (newState == null && old != null) {
      ObjectNode gone = Json.parse(old);
      long rv = requestResourceVersion(); // kube-apiserver gives a removal its own resourceVersion
      Json.metadata(gone).put("resourceVersion", String.valueOf(rv));
      removals.put(rv, gone.toString());
      removalVersionByUid.put(Json.metadata(gone).path("uid").asText(), rv);
      while (removals.size() > REMOVALS_KEPT) {
        var first = removals.pollFirstEntry();
        removalVersionByUid.remove(Json.parse(first.getValue()).path("metadata").path("uid").asText());
      }
      onRemoved.accept(gone);
    }
  }

  private static boolean senderStopped(Object listener) {
    try {
      Field f = listener.getClass().getDeclaredField("executor");
      f.setAccessible(true);
      return ((java.util.concurrent.ExecutorService) f.get(listener)).isShutdown();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  static String stripQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }
}
