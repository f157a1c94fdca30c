package io.sluice.k8s.testcluster.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A stand-in kubelet: it watches the pods bound to its node through the fabric8 client, as a real kubelet watches
 * the API server, and runs each container as a local process (see {@link ContainerLaunch}). It reports what a kubelet
 * reports: phase, conditions, container states with exit codes and reasons, restart counts per restartPolicy (with
 * CrashLoopBackOff), {@code podIP=127.0.0.1}. A pod marked for deletion gets SIGTERM, SIGKILL after its grace period,
 * then is removed. A container over its memory limit (resident memory of its processes), or a JVM that ended on
 * {@code -XX:+ExitOnOutOfMemoryError}, is reported OOMKilled (exit code 137). Images matching
 * {@link KubeletConfig#pullFailures()} never start (ErrImagePull / ImagePullBackOff). Paper pods run without a
 * process. {@link #evict} and {@link #loseNode} simulate the kubelet's eviction and a node that goes away.
 */
public final class StandInKubelet implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(StandInKubelet.class);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  private final KubeletConfig config;
  private final KubernetesClient client;
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timers;
  private final Thread syncThread;
  private final SharedIndexInformer<Pod> informer;
  private volatile Predicate<Pod> paperPods;
  private volatile boolean running = true;
  private volatile boolean nodeLost;

  /** Per pod: its directory, containers, and what the kubelet did to it. */
  private static final class PodWorker {
    final String key;
    final String uid;
    final Path dir;
    final boolean paper;
    final Instant startTime = Instant.now();
    final List<ContainerSlot> slots = new ArrayList<>();
    Map<String, java.nio.file.Path> volumes;
    boolean terminating;
    Instant killAt;
    String podReason;
    String podMessage;
    boolean evicted;
    PodStatus lastWritten;

    PodWorker(String key, String uid, Path dir, boolean paper) {
      this.key = key;
      this.uid = uid;
      this.dir = dir;
      this.paper = paper;
    }

    List<ContainerSlot> initSlots() {
      return slots.stream().filter(s -> s.init).toList();
    }

    List<ContainerSlot> mainSlots() {
      return slots.stream().filter(s -> !s.init).toList();
    }

    boolean anyRunning() {
      return slots.stream().anyMatch(ContainerSlot::running);
    }
  }

  /**
   * Starts the kubelet: creates its Node object and starts watching pods.
   *
   * @param client a client of the API server (the kubelet closes it when it stops)
   */
  public StandInKubelet(KubeletConfig config, KubernetesClient client) {
    this.config = config;
    this.client = client;
    this.paperPods = config.paperPods();
    String node = config.nodeName();
    timers = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "standin-kubelet-" + node + "-timer"));
    registerNode();
    syncThread = daemon(this::syncLoop, "standin-kubelet-" + node + "-sync");
    syncThread.start();
    informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        enqueue(key(pod));
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        enqueue(key(pod));
      }

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {
        enqueue(key(pod));
      }
    }, 0);
    timers.scheduleWithFixedDelay(this::checkMemory, config.memoryCheckInterval().toMillis(),
        config.memoryCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("stand-in kubelet of node {} started (pods run under {})", node, config.workDir());
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public String nodeName() {
    return config.nodeName();
  }

  /** Whether the node is up (the kubelet runs and its node was not lost). */
  public boolean nodeReady() {
    return running && !nodeLost;
  }

  /** Which pods from now on run on paper (marked Running, no process); pods already running are not changed. */
  public void paperPods(Predicate<Pod> which) {
    this.paperPods = which;
  }

  /** The pid of a running container's process. */
  public OptionalLong pid(String namespace, String pod, String container) {
    PodWorker w = workers.get(namespace + "/" + pod);
    if (w == null) {
      return OptionalLong.empty();
    }
    synchronized (w) {
      return w.slots.stream().filter(s -> s.name.equals(container) && s.run != null && s.run.running())
          .mapToLong(s -> s.run.pid()).findFirst();
    }
  }

  /** The log file of a container's current (or, with {@code previous}, its previous) run. */
  public Optional<Path> logFile(String namespace, String pod, String container, boolean previous) {
    PodWorker w = workers.get(namespace + "/" + pod);
    if (w == null) {
      return Optional.empty();
    }
    synchronized (w) {
      for (ContainerSlot s : w.slots) {
        if (s.name.equals(container) && s.runs > 0) {
          int run = previous ? s.runs - 2 : s.runs - 1;
          return run < 0 ? Optional.empty() : Optional.of(logPath(w, s, run));
        }
      }
    }
    return Optional.empty();
  }

  /** Ends a paper pod's container as if its process had exited with {@code exitCode}. */
  public void exitPaperContainer(String namespace, String pod, String container, int exitCode) {
    PodWorker w = workers.get(namespace + "/" + pod);
    if (w == null || !w.paper) {
      throw new IllegalArgumentException("no paper pod " + namespace + "/" + pod + " on node " + nodeName());
    }
    synchronized (w) {
      for (ContainerSlot s : w.slots) {
        if (s.name.equals(container) && s.paperSince != null) {
          s.last = null;
          s.terminated = new ContainerSlot.Termination(exitCode, exitCode == 0 ? "Completed" : "Error", null,
              s.paperSince, Instant.now(), "standin://paper-" + s.name);
          s.paperSince = null;
          s.done = true;
        }
      }
    }
    enqueue(namespace + "/" + pod);
  }

  /**
   * What the kubelet does under node pressure: the pod's containers are killed, the pod fails with reason Evicted
   * and stays (it is not deleted).
   */
  public void evict(String namespace, String pod, String message) {
    PodWorker w = workers.get(namespace + "/" + pod);
    if (w == null) {
      throw new IllegalArgumentException("no pod " + namespace + "/" + pod + " on node " + nodeName());
    }
    synchronized (w) {
      w.evicted = true;
      w.podReason = "Evicted";
      w.podMessage = message;
      for (ContainerSlot s : w.slots) {
        if (s.run != null) {
          s.run.kill();
        }
        if (s.paperSince != null) {
          s.terminated = new ContainerSlot.Termination(137, "Error", null, s.paperSince, Instant.now(),
              "standin://paper-" + s.name);
          s.paperSince = null;
        }
        s.done = true;
      }
    }
    enqueue(namespace + "/" + pod);
  }

  /**
   * The node goes away: every container process is killed at once and this kubelet stops reporting; the node turns
   * NotReady and its pods get reason NodeLost (what the node lifecycle controller reports), and after
   * {@code evictAfter} they are deleted (force, as the pod garbage collector does for a node that is gone).
   */
  public void loseNode(Duration evictAfter) {
    nodeLost = true;
    List<Pod> pods = new ArrayList<>();
    for (PodWorker w : workers.values()) {
      synchronized (w) {
        w.slots.forEach(s -> {
          if (s.run != null) {
            s.run.kill();
          }
        });
      }
    }
    String now = ContainerSlot.time(Instant.now());
    client.nodes().withName(nodeName()).editStatus(n -> {
      n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).forEach(c -> {
        c.setStatus("Unknown");
        c.setReason("NodeStatusUnknown");
        c.setMessage("Kubelet stopped posting node status.");
        c.setLastTransitionTime(now);
      });
      return n;
    });
    for (Pod p : informer.getStore().list()) {
      if (nodeName().equals(p.getSpec().getNodeName())) {
        pods.add(p);
      }
    }
    for (Pod p : pods) {
      try {
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
            .editStatus(x -> {
              x.getStatus().setReason("NodeLost");
              x.getStatus().setMessage("Node " + nodeName() + " which was running pod " + x.getMetadata().getName()
                  + " is unresponsive");
              x.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
                  .forEach(c -> c.setStatus("False"));
              return x;
            });
      } catch (KubernetesClientException e) {
        LOG.debug("pod {} went before it could be marked NodeLost", p.getMetadata().getName());
      }
    }
    timers.schedule(() -> {
      for (Pod p : pods) {
        try {
          client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
              .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
          LOG.debug("pod {} already gone", p.getMetadata().getName());
        }
      }
    }, evictAfter.toMillis(), TimeUnit.MILLISECONDS);
  }

  // ------------------------------------------------------------------------------------------------------- syncing

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private void enqueue(String key) {
    if (running && queued.add(key)) {
      queue.add(key);
    }
  }

  private void enqueueAt(String key, Instant when) {
    long delay = Math.max(0, Duration.between(Instant.now(), when).toMillis() + 1);
    if (running) {
      timers.schedule(() -> enqueue(key), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void syncLoop() {
    while (running) {
      try {
        String key = queue.poll(1, TimeUnit.SECONDS);
        if (key == null) {
          continue;
        }
        queued.remove(key);
        if (!nodeLost) {
          sync(key);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("kubelet {}: sync failed", nodeName(), e);
        }
      }
    }
  }

  private void sync(String key) {
    Pod pod = informer.getIndexer().getByKey(key);
    PodWorker w = workers.get(key);
    if (pod == null || (w != null && !w.uid.equals(pod.getMetadata().getUid()))) {
      if (w != null) {
        forget(w); // removed from the API server (force deletion): its processes go now
      }
      if (pod == null) {
        return;
      }
      w = null;
    }
    if (!nodeName().equals(pod.getSpec().getNodeName())) {
      return;
    }
    if (w == null) {
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          deletePod(pod);
        }
        return; // finished before this kubelet knew it (e.g. a restarted kubelet)
      }
      w = newWorker(pod);
      workers.put(key, w);
    }
    synchronized (w) {
      if (pod.getMetadata().getDeletionTimestamp() != null && !w.terminating) {
        startTermination(w, pod);
      }
      if (w.terminating) {
        if (!w.paper && w.anyRunning() && !Instant.now().isBefore(w.killAt)) {
          w.slots.forEach(s -> {
            if (s.run != null && s.run.running()) {
              s.run.kill();
            }
          });
        }
      }
      if (w.paper) {
        syncPaper(w);
      } else {
        syncContainers(w, pod);
      }
      writeStatus(w, pod);
      if (w.terminating && !w.anyRunning()) {
        deletePod(pod);
        workers.remove(key);
      }
    }
  }

  private PodWorker newWorker(Pod pod) {
    String uid = pod.getMetadata().getUid();
    Path dir = config.workDir().resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_"
        + uid.substring(0, Math.min(8, uid.length())));
    PodWorker w = new PodWorker(key(pod), uid, dir, paperPods.test(pod));
    for (Container c : pod.getSpec().getInitContainers()) {
      w.slots.add(new ContainerSlot(c.getName(), c.getImage(), true));
    }
    for (Container c : pod.getSpec().getContainers()) {
      w.slots.add(new ContainerSlot(c.getName(), c.getImage(), false));
    }
    if (w.paper) {
      w.slots.removeIf(s -> s.init);
    }
    return w;
  }

  private void startTermination(PodWorker w, Pod pod) {
    LOG.info("kubelet {}: pod {} is being deleted (grace period {} s)", nodeName(), w.key,
        pod.getMetadata().getDeletionGracePeriodSeconds());
    w.terminating = true;
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    w.killAt = Instant.now().plusSeconds(grace == null ? 30 : grace);
    for (ContainerSlot s : w.slots) {
      if (s.run != null && s.run.running()) {
        s.run.terminate();
      }
      if (s.paperSince != null) {
        s.terminated = new ContainerSlot.Termination(0, "Completed", null, s.paperSince, Instant.now(),
            "standin://paper-" + s.name);
        s.paperSince = null;
      }
      s.done = true;
    }
    enqueueAt(w.key, w.killAt);
  }

  private void syncPaper(PodWorker w) {
    if (w.terminating || w.evicted) {
      return;
    }
    for (ContainerSlot s : w.slots) {
      if (!s.done && s.paperSince == null) {
        s.paperSince = Instant.now();
        s.waitingReason = null;
      }
    }
  }

  private void syncContainers(PodWorker w, Pod pod) {
    String restartPolicy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    for (ContainerSlot s : w.slots) {
      if (s.run != null && !s.run.running()) {
        ended(w, pod, s, restartPolicy);
      }
    }
    if (w.terminating || w.evicted) {
      return;
    }
    // init containers one after the other; the others once they all succeeded
    for (ContainerSlot s : w.initSlots()) {
      if (s.done && s.terminated != null && s.terminated.exitCode() == 0) {
        continue;
      }
      if (!s.done) {
        maybeStart(w, pod, s);
      }
      return;
    }
    for (ContainerSlot s : w.mainSlots()) {
      if (!s.done) {
        maybeStart(w, pod, s);
      }
    }
  }

  private void ended(PodWorker w, Pod pod, ContainerSlot s, String restartPolicy) {
    ContainerRun run = s.run;
    run.killLeftovers();
    int exit = run.process.exitValue();
    String reason;
    String message = null;
    if (run.oomKilledBecause != null) {
      reason = "OOMKilled";
      exit = 137;
      message = run.oomKilledBecause;
    } else if (run.jvmExitedOnOutOfMemory(exit)) {
      reason = "OOMKilled";
      exit = 137;
      message = "stand-in kubelet: the JVM exited on OutOfMemoryError (-XX:+ExitOnOutOfMemoryError, exit code 3), "
          + "which stands in for the kernel's OOM kill of a container over its memory limit";
    } else {
      reason = exit == 0 ? "Completed" : "Error";
    }
    ContainerSlot.Termination t = new ContainerSlot.Termination(exit, reason, message, run.startedAt, Instant.now(),
        "standin://" + run.pid());
    s.run = null;
    boolean restart = !w.terminating && !w.evicted
        && (restartPolicy.equals("Always") && !s.init || restartPolicy.equals("OnFailure") && exit != 0
            || s.init && !restartPolicy.equals("Never") && exit != 0);
    LOG.info("kubelet {}: container {} of pod {} exited with {} ({}){}", nodeName(), s.name, w.key, exit, reason,
        restart ? ", restarting" : "");
    if (restart) {
      s.last = t;
      s.terminated = null;
      long factor = 1L << Math.min(20, s.restartCount);
      Duration delay = config.restartBackoff().multipliedBy(factor);
      if (delay.compareTo(MAX_BACKOFF) > 0) {
        delay = MAX_BACKOFF;
      }
      s.waitingReason = "CrashLoopBackOff";
      s.waitingMessage = "back-off " + delay.toSeconds() + "s restarting failed container=" + s.name + " pod="
          + pod.getMetadata().getName() + "_" + pod.getMetadata().getNamespace() + "(" + w.uid + ")";
      s.nextStartAt = Instant.now().plus(delay);
      enqueueAt(w.key, s.nextStartAt);
    } else {
      s.terminated = t;
      s.done = true;
    }
  }

  private void maybeStart(PodWorker w, Pod pod, ContainerSlot s) {
    if (s.run != null) {
      return;
    }
    if (Instant.now().isBefore(s.nextStartAt)) {
      enqueueAt(w.key, s.nextStartAt);
      return;
    }
    if (config.pullFailures().matcher(s.image).matches()) {
      s.pullAttempts++;
      boolean backoff = s.pullAttempts % 2 == 0;
      s.waitingReason = backoff ? "ImagePullBackOff" : "ErrImagePull";
      s.waitingMessage = backoff ? "Back-off pulling image \"" + s.image + "\""
          : "failed to pull and unpack image \"" + s.image + "\": failed to resolve reference \"" + s.image
              + "\": not found";
      s.nextStartAt = Instant.now().plus(config.restartBackoff());
      enqueueAt(w.key, s.nextStartAt);
      return;
    }
    Container c = container(pod, s);
    try {
      if (w.volumes == null) {
        Files.createDirectories(w.dir);
        w.volumes = ContainerLaunch.volumes(pod, w.dir, client);
      }
      ContainerLaunch.Launch launch = ContainerLaunch.resolve(config, pod, c, w.volumes, w.dir, injectedEnv(w, pod),
          client);
      Path log = logPath(w, s, s.runs);
      s.run = ContainerRun.start(launch.command(), launch.env(), launch.workingDir(), log);
      if (s.runs > 0) {
        s.restartCount++;
      }
      s.runs++;
      s.waitingReason = null;
      s.waitingMessage = null;
      LOG.info("kubelet {}: started container {} of pod {} as pid {}: {}", nodeName(), s.name, w.key, s.run.pid(),
          launch.command());
      String key = w.key;
      s.run.process.onExit().thenRun(() -> enqueue(key));
    } catch (ContainerLaunch.LaunchException e) {
      s.waitingReason = e.reason;
      s.waitingMessage = e.getMessage();
      s.nextStartAt = Instant.now().plus(config.restartBackoff());
      enqueueAt(w.key, s.nextStartAt);
    } catch (IOException e) {
      s.waitingReason = "RunContainerError";
      s.waitingMessage = "cannot start the process: " + e.getMessage();
      s.nextStartAt = Instant.now().plus(config.restartBackoff());
      enqueueAt(w.key, s.nextStartAt);
    }
  }

  private static Container container(Pod pod, ContainerSlot s) {
    List<Container> list = s.init ? pod.getSpec().getInitContainers() : pod.getSpec().getContainers();
    return list.stream().filter(c -> c.getName().equals(s.name)).findFirst().orElseThrow();
  }

  private static Path logPath(PodWorker w, ContainerSlot s, int run) {
    return w.dir.resolve("logs").resolve(s.name + "." + run + ".log");
  }

  /** What a kubelet injects, plus a kubeconfig standing in for the service-account volume (see README). */
  private Map<String, String> injectedEnv(PodWorker w, Pod pod) throws ContainerLaunch.LaunchException {
    Map<String, String> env = new LinkedHashMap<>();
    URI master = URI.create(client.getConfiguration().getMasterUrl());
    int port = master.getPort() > 0 ? master.getPort() : master.getScheme().equals("https") ? 443 : 80;
    env.put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(port));
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(port));
    env.put("KUBERNETES_PORT", "tcp://127.0.0.1:" + port);
    Path kubeconfig = w.dir.resolve("serviceaccount").resolve("kubeconfig");
    try {
      Files.createDirectories(kubeconfig.getParent());
      String sa = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
      Files.writeString(kubeconfig, io.sluice.k8s.testcluster.Kubeconfig.yaml(master.toString().replaceAll("/$", ""),
          pod.getMetadata().getNamespace(), "system:serviceaccount:" + pod.getMetadata().getNamespace() + ":" + sa));
    } catch (IOException e) {
      throw new ContainerLaunch.LaunchException("CreateContainerError", "cannot write the pod's kubeconfig: " + e);
    }
    env.put("KUBECONFIG", kubeconfig.toString());
    return env;
  }

  private void checkMemory() {
    for (PodWorker w : workers.values()) {
      List<ContainerRun> over = new ArrayList<>();
      synchronized (w) {
        Pod pod = informer.getIndexer().getByKey(w.key);
        if (pod == null) {
          continue;
        }
        for (ContainerSlot s : w.slots) {
          if (s.run == null || !s.run.running()) {
            continue;
          }
          long rss = s.run.residentBytes();
          Quantity limit = limit(pod, s);
          if (limit != null && rss > limit.getNumericalAmount().longValue()) {
            s.run.oomKilledBecause = "stand-in kubelet: resident memory " + (rss >> 20) + " MiB over the memory limit "
                + limit + " (killed as the kernel's OOM killer kills a container over its limit)";
            over.add(s.run);
          }
        }
      }
      over.forEach(ContainerRun::kill);
    }
  }

  private static Quantity limit(Pod pod, ContainerSlot s) {
    Container c = container(pod, s);
    if (c.getResources() == null || c.getResources().getLimits() == null) {
      return null;
    }
    return c.getResources().getLimits().get("memory");
  }

  // -------------------------------------------------------------------------------------------------- API writes

  private void writeStatus(PodWorker w, Pod pod) {
    PodStatus status = status(w, pod);
    if (status.equals(w.lastWritten)) {
      return;
    }
    Pod update = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editMetadata().withResourceVersion(null)
        .endMetadata().withStatus(status).build();
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(update).updateStatus();
      w.lastWritten = status;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // written meanwhile (e.g. marked for deletion): the next sync works on the newer pod
        enqueueAt(w.key, Instant.now().plusMillis(100));
      } else if (e.getCode() != 404) {
        LOG.warn("kubelet {}: cannot write the status of pod {}: {}", nodeName(), w.key, e.getMessage());
        enqueueAt(w.key, Instant.now().plusSeconds(1));
      }
    }
  }

  private PodStatus status(PodWorker w, Pod pod) {
    String now = ContainerSlot.time(Instant.now());
    List<ContainerSlot> inits = w.initSlots();
    List<ContainerSlot> mains = w.mainSlots();
    boolean initDone = inits.stream().allMatch(s -> s.done && s.terminated != null && s.terminated.exitCode() == 0);
    boolean initFailed = inits.stream().anyMatch(s -> s.done && s.terminated != null && s.terminated.exitCode() != 0);
    boolean allMainDone = mains.stream().allMatch(s -> s.done);
    boolean anyStarted = mains.stream().anyMatch(ContainerSlot::everStarted);
    String phase;
    if (w.evicted || initFailed) {
      phase = "Failed";
    } else if (allMainDone && anyStarted) {
      phase = mains.stream().allMatch(s -> s.terminated != null && s.terminated.exitCode() == 0) ? "Succeeded"
          : "Failed";
    } else if (allMainDone && w.terminating) {
      phase = "Failed";
    } else if (initDone && anyStarted) {
      phase = "Running";
    } else {
      phase = "Pending";
    }
    boolean ready = !w.terminating && !mains.isEmpty() && mains.stream().allMatch(ContainerSlot::running);
    List<ContainerStatus> mainStatuses = mains.stream().map(s -> s.status(!w.terminating)).toList();
    List<ContainerStatus> initStatuses = inits.stream().map(s -> s.status(true)).toList();
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(pod, "PodReadyToStartContainers", true, now));
    conditions.add(condition(pod, "Initialized", initDone, now));
    conditions.add(condition(pod, "Ready", ready, now));
    conditions.add(condition(pod, "ContainersReady", ready, now));
    conditions.add(condition(pod, "PodScheduled", true, now));
    PodStatusBuilder b = new PodStatusBuilder().withPhase(phase).withConditions(conditions)
        .withHostIP("127.0.0.1").withHostIPs(new io.fabric8.kubernetes.api.model.HostIPBuilder().withIp("127.0.0.1")
            .build())
        .withPodIP("127.0.0.1").withPodIPs(new PodIPBuilder().withIp("127.0.0.1").build())
        .withStartTime(ContainerSlot.time(w.startTime)).withContainerStatuses(mainStatuses)
        .withInitContainerStatuses(initStatuses)
        .withQosClass(pod.getStatus() == null ? null : pod.getStatus().getQosClass());
    if (w.podReason != null) {
      b.withReason(w.podReason).withMessage(w.podMessage);
    }
    return b.build();
  }

  /** A condition, keeping its last transition time while its status does not change. */
  private static PodCondition condition(Pod pod, String type, boolean value, String now) {
    String status = value ? "True" : "False";
    String since = now;
    if (pod.getStatus() != null) {
      for (PodCondition c : pod.getStatus().getConditions()) {
        if (c.getType().equals(type) && status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    PodConditionBuilder b = new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(since);
    if (!value && (type.equals("Ready") || type.equals("ContainersReady"))) {
      b.withReason("ContainersNotReady");
    }
    return b.build();
  }

  private void deletePod(Pod pod) {
    LOG.info("kubelet {}: pod {}/{} has stopped; removing it", nodeName(), pod.getMetadata().getNamespace(),
        pod.getMetadata().getName());
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.debug("pod {} already gone", pod.getMetadata().getName());
    }
  }

  private void forget(PodWorker w) {
    workers.remove(w.key);
    synchronized (w) {
      for (ContainerSlot s : w.slots) {
        if (s.run != null && s.run.running()) {
          s.run.kill();
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------- nodes

  private void registerNode() {
    var node = new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(nodeName())
        .addToLabels("kubernetes.io/hostname", nodeName()).addToLabels("kubernetes.io/os", "linux").endMetadata()
        .withNewSpec().endSpec().build();
    client.nodes().resource(node).createOr(x -> x.update());
    String now = ContainerSlot.time(Instant.now());
    int cpus = Runtime.getRuntime().availableProcessors();
    client.nodes().withName(nodeName()).editStatus(n -> {
      n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
          .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
          .withMessage("stand-in kubelet is posting ready status").withLastHeartbeatTime(now)
          .withLastTransitionTime(now).endCondition()
          .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
          .addNewAddress().withType("Hostname").withAddress(nodeName()).endAddress()
          .addToCapacity("cpu", new Quantity(String.valueOf(cpus))).addToCapacity("pods", new Quantity("1000"))
          .addToAllocatable("cpu", new Quantity(String.valueOf(cpus))).addToAllocatable("pods", new Quantity("1000"))
          .withNewNodeInfo().withKubeletVersion("v1.32.0-sluice-standin").withOperatingSystem("linux")
          .withArchitecture("amd64").withContainerRuntimeVersion("standin://local-processes").endNodeInfo()
          .build());
      return n;
    });
  }

  /**
   * Stops the kubelet: its processes get SIGTERM, then SIGKILL after a few seconds; no more status is written (as
   * when a kubelet stops, the API server keeps the last status).
   */
  @Override
  public void close() {
    running = false;
    informer.stop();
    syncThread.interrupt();
    List<ContainerRun> runs = new ArrayList<>();
    for (PodWorker w : workers.values()) {
      synchronized (w) {
        w.slots.forEach(s -> {
          if (s.run != null && s.run.running()) {
            s.run.terminate();
            runs.add(s.run);
          }
        });
      }
    }
    Instant deadline = Instant.now().plusSeconds(5);
    for (ContainerRun r : runs) {
      try {
        r.process.waitFor(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      r.kill();
    }
    timers.shutdownNow();
    try {
      syncThread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
