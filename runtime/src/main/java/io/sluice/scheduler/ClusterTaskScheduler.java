package io.sluice.scheduler;

import io.sluice.batch.FetchFailedException;
import io.sluice.batch.StateRestoreFailedException;
import io.sluice.batch.Task;
import io.sluice.batch.TaskFailedException;
import io.sluice.batch.TaskLocality;
import io.sluice.batch.TaskScheduler;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.DriverMapOutputLocations;
import io.sluice.executor.ExecutorRegistry;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.executor.TaskMessages;
import io.sluice.executor.TaskMessages.ExecutorReady;
import io.sluice.executor.TaskMessages.GetMapOutputs;
import io.sluice.executor.TaskMessages.LaunchTask;
import io.sluice.executor.TaskMessages.MapOutputs;
import io.sluice.executor.TaskMessages.ReleaseDataset;
import io.sluice.executor.TaskMessages.ReleaseShuffle;
import io.sluice.executor.TaskMessages.TaskOutcome;
import io.sluice.executor.TaskResult;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputTracker;
import io.sluice.shuffle.MapStatus;
import io.sluice.util.Clock;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs the tasks of a stage on executor processes: the driver side of task execution on a cluster.
 *
 * <p>Executors come and go through the {@link ExecutorRegistry.Listener} methods (the {@code ExecutorManager}
 * calls them on its thread) and get tasks once they also reported {@link ExecutorReady} to
 * {@link #schedulerEndpoint()}; {@link #slots()} is the total of the registered executors' cores minus those
 * {@linkplain #reserveReceiverCore taken by receivers}. {@link #runTasks}
 * serializes each task once with Kryo, places it on an executor with a free slot — the one with the most free
 * slots, so tasks spread evenly (placement by input locality is future work: tasks do not yet say where their input
 * is) — and asks its {@value TaskMessages#TASKS_ENDPOINT} endpoint with {@link LaunchTask}. Then, per task result:
 * <ul>
 *   <li>{@link TaskResult.Success}: the value (a map task's {@link MapStatus} is recorded in the tracker by the
 *   caller); a map output reported by an executor that was lost meanwhile is run again.</li>
 *   <li>{@link TaskResult.Failure}: the task runs again, on another executor if there is one, until it failed
 *   {@code sluice.task.maxFailures} times; then the job fails with a {@link TaskFailedException} naming the task,
 *   the executor and the exception's class and message (the remote stack trace is its cause's message). An executor
 *   with {@code sluice.excludeOnFailure.maxTaskFailures} failures within {@code sluice.excludeOnFailure.timeout}
 *   gets no tasks for that long, unless every executor with task slots is excluded.</li>
 *   <li>{@link TaskResult.StateRestoreFailed}: a {@link StateRestoreFailedException} tells the caller to fall back
 *   to an older saved version of the state; not counted as a failure of the executor.</li>
 *   <li>{@link TaskResult.FetchFailed}: the outputs of the location named are forgotten (the epoch grows, so
 *   executors drop their cached locations) and a {@link FetchFailedException} tells the caller to re-plan the
 *   missing map stages; the stage's other running tasks are abandoned.</li>
 *   <li>executor lost (its connection closed, or the registry declared it lost): its running tasks run again
 *   elsewhere without counting as failures, and its map outputs are forgotten.</li>
 * </ul>
 * A stage that does not finish within {@code sluice.streaming.awaitBatchTimeout} fails.
 *
 * <p>It also serves the driver's {@value TaskMessages#MAP_OUTPUTS_ENDPOINT} endpoint ({@link #mapOutputsEndpoint}).
 *
 * <p>Threading: thread-safe; several jobs may run stages at once, sharing the slots. Task replies complete on RPC
 * threads and are handled by the thread that called {@code runTasks}.
 */
public final class ClusterTaskScheduler implements TaskScheduler, ExecutorRegistry.Listener {
    private static final Logger LOG = LogManager.getLogger(ClusterTaskScheduler.class);
    private static final long POLL_MS = 200;

    /** A registered executor and its free task slots (guarded by the scheduler's lock). */
    private static final class Slots {
        final ExecutorId id;
        final InetSocketAddress address;
        final int cores;
        int free;
        /** Cores taken by receivers: they run for the application's lifetime and are no task slots. */
        int receivers;
        final Set<CompletableFuture<TaskOutcome>> running = new HashSet<>();

        Slots(ExecutorInfo info) {
            this.id = info.id();
            this.address = info.address();
            this.cores = info.cores();
            this.free = info.cores();
        }
    }

    /** What became of one launch. Exactly one of {@code outcome} and {@code lost} is set. */
    private record Completion(int index, ExecutorId executor, TaskOutcome outcome, Throwable lost) {
    }

    /** A task's failure on an executor, with the remote stack trace as the message. */
    public static final class RemoteTaskException extends RuntimeException {
        private final String exceptionClass;

        RemoteTaskException(TaskResult.Failure<?> failure) {
            super(failure.describe() + "\nRemote stack trace:\n" + failure.stackTrace(), null, false, false);
            this.exceptionClass = failure.exceptionClass();
        }

        /** The class of the exception the task threw. */
        public String exceptionClass() {
            return exceptionClass;
        }
    }

    private final String appId;
    private final Serializer serializer;
    private final RpcClientFactory clients;
    private final MapOutputTracker tracker;
    private final Clock clock;
    private final Duration stageTimeout;
    private final int maxFailures;
    private final int excludeAfter;
    private final Duration excludeFor;
    private final AtomicLong nextTaskId = new AtomicLong();
    private final AtomicLong epoch = new AtomicLong();

    private final Object lock = new Object();
    private final Map<ExecutorId, Slots> executors = new LinkedHashMap<>();
    private final Map<ExecutorId, ArrayDeque<Long>> failureTimes = new HashMap<>();
    private final Map<ExecutorId, Long> excludedUntil = new HashMap<>();
    private final Map<ExecutorId, ExecutorInfo> registeredInfo = new HashMap<>();
    private final Set<ExecutorId> ready = new HashSet<>();
    private final Set<ExecutorId> gone = new HashSet<>();
    private final Map<ExecutorId, Integer> stagesUsing = new HashMap<>(); // stages in flight that ran tasks there
    private final List<java.util.function.Predicate<ExecutorId>> releaseGuards = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<ExecutorId, String>> lossListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<Set<Integer>>> stateLossListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The executor hosting each state slot (partition index of every stateful operator); guarded by lock. */
    private final Map<Integer, ExecutorId> stateHosts = new HashMap<>();
    /** The RPC address of each executor taken out of the slots to be released, until its loss is reported; lock. */
    private final Map<ExecutorId, String> releasing = new HashMap<>();
    private final Duration localityWait;
    private String fatal; // guarded by lock
    private boolean closed; // guarded by lock

    /**
     * @param serializer the application's serializer (tasks and results)
     * @param clients    connects to the executors' RPC servers
     * @param tracker    the driver's map output tracker: lost executors' outputs are removed from it
     */
    public ClusterTaskScheduler(String appId, SluiceConf conf, Serializer serializer, RpcClientFactory clients,
                                MapOutputTracker tracker, Clock clock) {
        this.appId = appId;
        this.serializer = serializer;
        this.clients = clients;
        this.tracker = tracker;
        this.clock = clock;
        this.stageTimeout = conf.get(SluiceConf.JOB_TIMEOUT);
        this.maxFailures = conf.get(SluiceConf.TASK_MAX_FAILURES);
        this.excludeAfter = conf.get(SluiceConf.EXCLUDE_MAX_TASK_FAILURES);
        this.excludeFor = conf.get(SluiceConf.EXCLUDE_TIMEOUT);
        this.localityWait = conf.get(SluiceConf.LOCALITY_WAIT);
    }

    // ---------------------------------------------------------------- executors

    /**
     * An executor registered; it gets tasks once it also reported {@link ExecutorReady} (the two may arrive in either
     * order).
     */
    @Override
    public void executorRegistered(ExecutorInfo executor) {
        synchronized (lock) {
            if (gone.contains(executor.id())) {
                return;
            }
            registeredInfo.put(executor.id(), executor);
            activateIfReady(executor.id());
        }
    }

    private Object executorReady(RpcCallContext ctx, Object message) {
        if (!(message instanceof ExecutorReady ready)) {
            throw new IllegalArgumentException("the task-scheduler endpoint does not handle " + message.getClass().getName());
        }
        synchronized (lock) {
            if (gone.contains(ready.id())) {
                throw new IllegalStateException("executor " + ready.id() + " was already lost");
            }
            this.ready.add(ready.id());
            activateIfReady(ready.id());
        }
        return Boolean.TRUE;
    }

    /** Caller holds the lock. */
    private void activateIfReady(ExecutorId id) {
        ExecutorInfo info = registeredInfo.get(id);
        if (info == null || !ready.contains(id) || executors.containsKey(id)) {
            return;
        }
        executors.put(id, new Slots(info));
        lock.notifyAll();
        LOG.info("Application {}: executor {} at {}:{} is ready with {} task slots", appId, id, info.host(), info.port(),
                info.cores());
    }

    /** The driver's {@value TaskMessages#SCHEDULER_ENDPOINT} endpoint: executors report {@link ExecutorReady}. */
    public RpcEndpoint schedulerEndpoint() {
        return this::executorReady;
    }

    @Override
    public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
        List<CompletableFuture<TaskOutcome>> running;
        String location;
        Set<Integer> lostSlots;
        synchronized (lock) {
            gone.add(id);
            registeredInfo.remove(id);
            ready.remove(id);
            Slots slots = executors.remove(id);
            running = slots == null ? List.of() : new ArrayList<>(slots.running);
            // an executor released by the allocator left the slots before: its loss still names where it was
            String released = releasing.remove(id);
            location = slots != null ? slots.address.getHostString() + ":" + slots.address.getPort() : released;
            lostSlots = new java.util.TreeSet<Integer>();
            for (var it = stateHosts.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().equals(id)) {
                    lostSlots.add(e.getKey());
                    it.remove();
                }
            }
            lock.notifyAll();
        }
        Set<Integer> shuffles = tracker.removeOutputsOn(id);
        long e = epoch.incrementAndGet();
        LOG.warn("Application {}: executor {} lost ({}: {}); {} running tasks will run elsewhere, map outputs of "
                + "shuffles {} are gone (epoch {})", appId, id, reason, diagnostics, running.size(), shuffles, e);
        var lost = new IllegalStateException("executor " + id + " was lost (" + reason + ": " + diagnostics + ")");
        running.forEach(f -> f.completeExceptionally(lost));
        for (var l : lossListeners) {
            try {
                l.accept(id, location);
            } catch (RuntimeException ex) {
                LOG.warn("Application {}: a listener failed on the loss of executor {}", appId, id, ex);
            }
        }
        if (!lostSlots.isEmpty()) {
            LOG.warn("Application {}: executor {} hosted state slots {}; they move to other executors", appId, id,
                    lostSlots);
            for (var l : stateLossListeners) {
                try {
                    l.accept(Set.copyOf(lostSlots));
                } catch (RuntimeException ex) {
                    LOG.warn("Application {}: a listener failed on the loss of state slots {}", appId, lostSlots, ex);
                }
            }
        }
    }

    /** Calls {@code listener} (outside the lock) with the state slots of each executor lost. */
    public void addStateLossListener(java.util.function.Consumer<Set<Integer>> listener) {
        stateLossListeners.add(listener);
    }

    /** The executor hosting each state slot assigned so far; for tests and diagnostics. */
    public Map<Integer, ExecutorId> stateHosts() {
        synchronized (lock) {
            return Map.copyOf(stateHosts);
        }
    }

    /**
     * The executor hosting state slot {@code slot}, assigning one if the slot has none (the executor hosting the
     * fewest slots, in registration order among equals). Null when no executor is ready. Caller holds the lock.
     */
    private Slots stateHost(int slot) {
        ExecutorId id = stateHosts.get(slot);
        Slots host = id == null ? null : executors.get(id);
        if (host != null) {
            return host;
        }
        Slots best = null;
        int bestCount = Integer.MAX_VALUE;
        for (Slots s : executors.values()) {
            if (s.cores - s.receivers <= 0) {
                continue;
            }
            int count = 0;
            for (ExecutorId h : stateHosts.values()) {
                if (h.equals(s.id)) {
                    count++;
                }
            }
            if (count < bestCount) {
                best = s;
                bestCount = count;
            }
        }
        if (best != null) {
            stateHosts.put(slot, best.id);
            LOG.info("Application {}: state slot {} is hosted by executor {}", appId, slot, best.id);
        }
        return best;
    }

    /** Waits until at least {@code count} executors are registered; false when {@code timeout} passed first. */
    public boolean awaitExecutors(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (executors.size() < count && fatal == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return executors.size() >= count;
        }
    }

    /** Fails every stage from now on with {@code reason} (the executors cannot be kept up). */
    public void fail(String reason) {
        synchronized (lock) {
            fatal = reason;
            lock.notifyAll();
        }
    }

    /**
     * Decides whether the allocator may release {@code id} now, and if so stops placing tasks there: true only when no
     * task runs on it, no stage still in flight placed a task on it (its map outputs may not be recorded yet), and it
     * keeps no map output of a shuffle that a running job reads ({@link MapOutputTracker#holdsOutputsInUse}; a
     * streaming job shuffles every batch, so outputs of finished batches must not pin executors forever).
     * Once this returned true the executor is out of the scheduler's slots; the caller releases it, and its loss then
     * arrives through {@link #executorLost}. An executor the scheduler does not know (registering, or already gone)
     * may always go. Thread-safe; meant as {@code ExecutorAllocator}'s {@code releasable} predicate.
     *
     * <p>Limits: between a map stage's return and its caller recording the statuses in the tracker the executor
     * looks free; releasing it in that window costs a fetch failure and a re-run of those maps (the usual recovery
     * of lost map outputs), no data. Receivers and the only copies of received blocks are checked first, through
     * {@link #mayRelease}.
     */
    public boolean tryReserveForRelease(ExecutorId id) {
        if (!mayRelease(id)) {
            LOG.debug("Application {}: executor {} stays: it hosts a receiver or the only copy of a block", appId, id);
            return false;
        }
        synchronized (lock) {
            if (stateHosts.containsValue(id)) {
                LOG.debug("Application {}: executor {} stays: it hosts state partitions", appId, id);
                return false;
            }
            Slots slots = executors.get(id);
            if (slots != null && !slots.running.isEmpty()) {
                LOG.debug("Application {}: executor {} stays: {} tasks running", appId, id, slots.running.size());
                return false;
            }
            if (stagesUsing.containsKey(id)) {
                LOG.debug("Application {}: executor {} stays: {} stages in flight ran tasks there", appId, id,
                        stagesUsing.get(id));
                return false;
            }
            if (tracker.holdsOutputsInUse(id)) {
                LOG.debug("Application {}: executor {} stays: it keeps map outputs a running job reads", appId, id);
                return false;
            }
            if (slots != null) {
                executors.remove(id);
                releasing.put(id, slots.address.getHostString() + ":" + slots.address.getPort());
                gone.add(id);
                lock.notifyAll();
                LOG.info("Application {}: executor {} is idle and keeps no map output a running job reads; no more "
                        + "tasks go there, it can be released", appId, id);
            }
            return true;
        }
    }

    /**
     * The registered executors a new executor would best run next to, for the allocator's locality hint: those
     * running receivers (where received blocks are created and first read), most receivers first, then those hosting
     * state slots, most slots first. Empty when none does. Thread-safe, never blocks on I/O.
     */
    public List<ExecutorId> localityHint() {
        synchronized (lock) {
            var stateSlots = new HashMap<ExecutorId, Integer>();
            stateHosts.values().forEach(id -> stateSlots.merge(id, 1, Integer::sum));
            var withReceivers = executors.values().stream().filter(s -> s.receivers > 0)
                    .sorted(java.util.Comparator.comparingInt((Slots s) -> s.receivers).reversed())
                    .map(s -> s.id).toList();
            var result = new java.util.LinkedHashSet<>(withReceivers);
            stateSlots.entrySet().stream()
                    .filter(e -> executors.containsKey(e.getKey()))
                    .sorted(Map.Entry.<ExecutorId, Integer>comparingByValue().reversed())
                    .forEach(e -> result.add(e.getKey()));
            return List.copyOf(result);
        }
    }

    /** The registered executors. */
    public List<ExecutorId> executors() {
        synchronized (lock) {
            return List.copyOf(executors.keySet());
        }
    }

    @Override
    public int slots() {
        synchronized (lock) {
            return executors.values().stream().mapToInt(s -> s.cores - s.receivers).sum();
        }
    }

    // ---------------------------------------------------------------- receiver cores

    /** An executor a receiver was placed on: its id and RPC address. */
    public record ReceiverHost(ExecutorId id, InetSocketAddress address) {
        /** {@code host:port}, as block locations name it. */
        public String location() {
            return address.getHostString() + ":" + address.getPort();
        }
    }

    /**
     * Takes one core of a registered executor for a receiver, so that it is no longer a task slot: among those not in
     * {@code avoid} (unless only those are left) with a core that is not yet a receiver's, the one hosting the fewest receivers,
     * then with the most cores left. Returns empty when no executor has a core left for a receiver.
     * A reservation ends with {@link #releaseReceiverCore} or when its executor is lost.
     */
    public java.util.Optional<ReceiverHost> reserveReceiverCore(Set<ExecutorId> avoid) {
        synchronized (lock) {
            if (closed) {
                return java.util.Optional.empty();
            }
            Slots best = null;
            for (Slots s : executors.values()) {
                if (s.cores - s.receivers <= 0) {
                    continue;
                }
                if (best == null || better(s, best, avoid)) {
                    best = s;
                }
            }
            if (best == null) {
                return java.util.Optional.empty();
            }
            best.receivers++;
            best.free--; // may go below zero while tasks still run there: no new task goes there until they end
            LOG.info("Application {}: executor {} gives a core to a receiver ({} of {} cores left for tasks)", appId,
                    best.id, best.cores - best.receivers, best.cores);
            return java.util.Optional.of(new ReceiverHost(best.id, best.address));
        }
    }

    private static boolean better(Slots candidate, Slots best, Set<ExecutorId> avoid) {
        boolean ca = avoid.contains(candidate.id);
        boolean ba = avoid.contains(best.id);
        if (ca != ba) {
            return !ca;
        }
        if (candidate.receivers != best.receivers) {
            return candidate.receivers < best.receivers;
        }
        return candidate.cores - candidate.receivers > best.cores - best.receivers;
    }

    /** Gives back a core {@link #reserveReceiverCore} took on {@code id} (nothing if the executor is gone). */
    public void releaseReceiverCore(ExecutorId id) {
        synchronized (lock) {
            Slots s = executors.get(id);
            if (s != null && s.receivers > 0) {
                s.receivers--;
                s.free++;
                lock.notifyAll();
            }
        }
    }

    /** The RPC addresses ({@code host:port}) of the registered executors other than {@code self}. */
    public List<String> peersOf(String self) {
        synchronized (lock) {
            var result = new ArrayList<String>();
            for (Slots s : executors.values()) {
                if (!s.id.value().equals(self)) {
                    result.add(s.address.getHostString() + ":" + s.address.getPort());
                }
            }
            return result;
        }
    }

    /**
     * Called (outside the scheduler's lock) with the id of each executor declared lost and its RPC address
     * ({@code host:port}, also for one released by the allocator; null if it never became ready for tasks).
     */
    public void addLossListener(java.util.function.BiConsumer<ExecutorId, String> listener) {
        lossListeners.add(listener);
    }

    /**
     * Whether the allocator may release executor {@code id}: not while it hosts a receiver, nor while a
     * {@linkplain #addReleaseGuard guard} says no (e.g. it holds the only copy of a received block). An executor that
     * is not registered may be released.
     */
    public boolean mayRelease(ExecutorId id) {
        synchronized (lock) {
            Slots s = executors.get(id);
            if (s != null && s.receivers > 0) {
                return false;
            }
        }
        for (var guard : releaseGuards) {
            if (!guard.test(id)) {
                return false;
            }
        }
        return true;
    }

    /** Adds a condition {@link #mayRelease} also requires (true: the executor may go). */
    public void addReleaseGuard(java.util.function.Predicate<ExecutorId> guard) {
        releaseGuards.add(guard);
    }

    public void removeReleaseGuard(java.util.function.Predicate<ExecutorId> guard) {
        releaseGuards.remove(guard);
    }

    /**
     * Whether an executor at {@code location} ({@code host:port}) is registered and ready now: not lost, and not
     * taken out of the slots to be released.
     */
    public boolean hasExecutorAt(String location) {
        synchronized (lock) {
            for (Slots s : executors.values()) {
                if (location.equals(s.address.getHostString() + ":" + s.address.getPort())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The RPC address ({@code host:port}) of a registered executor, or null. */
    public String locationOf(ExecutorId id) {
        synchronized (lock) {
            Slots s = executors.get(id);
            return s == null ? null : s.address.getHostString() + ":" + s.address.getPort();
        }
    }

    /** Stops calling a listener {@link #addLossListener} added. */
    public void removeLossListener(java.util.function.BiConsumer<ExecutorId, String> listener) {
        lossListeners.remove(listener);
    }

    /** The driver never runs tasks itself. */
    @Override
    public boolean inTask() {
        return false;
    }

    // ---------------------------------------------------------------- stages

    @Override
    public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        Set<ExecutorId> used = new HashSet<>(); // executors this stage placed tasks on: none is released until it ends
        try {
            return runStage(stageName, tasks, used);
        } finally {
            synchronized (lock) {
                for (ExecutorId id : used) {
                    stagesUsing.computeIfPresent(id, (k, count) -> count == 1 ? null : count - 1);
                }
            }
        }
    }

    private <U> List<U> runStage(String stageName, List<? extends Task<U>> tasks, Set<ExecutorId> used) {
        int n = tasks.size();
        int stageId = tasks.get(0).stageId();
        byte[][] shipped = new byte[n][];
        for (int i = 0; i < n; i++) {
            try {
                shipped[i] = io.sluice.batch.TaskShipping.serialize(serializer, tasks.get(i));
            } catch (RuntimeException e) {
                throw new TaskFailedException("Stage " + stageId + " (" + stageName + ") cannot be sent to executors: "
                        + "task " + tasks.get(i) + " is not serializable: " + e.getMessage(), e);
            }
        }
        TaskLocality[] locality = new TaskLocality[n];
        for (int i = 0; i < n; i++) {
            locality[i] = tasks.get(i).locality();
            if (locality[i].stateSlots().size() > 1) {
                throw new TaskFailedException("Stage " + stageId + " (" + stageName + ") cannot run on executors: task "
                        + tasks.get(i) + " reads state partitions " + new java.util.TreeSet<>(locality[i].stateSlots())
                        + ", which live on "
                        + "different executors. Read each state partition in its own task (e.g. avoid coalesce or "
                        + "union of stateful streams by partition before a shuffle).", null);
            }
        }
        long stageStart = System.nanoTime();
        Object[] values = new Object[n];
        boolean[] done = new boolean[n];
        int[] launches = new int[n];
        int[] failures = new int[n];
        List<Set<ExecutorId>> failedOn = new ArrayList<>(n);
        var pending = new ArrayDeque<Integer>(n);
        for (int i = 0; i < n; i++) {
            failedOn.add(new HashSet<>());
            pending.add(i);
        }
        BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
        int remaining = n;
        long deadline = System.nanoTime() + stageTimeout.toNanos();
        LOG.debug("Application {}: stage {} ({}) with {} tasks", appId, stageId, stageName, n);
        while (remaining > 0) {
            launchPending(stageName, tasks, shipped, locality, stageStart, pending, launches, failedOn, completions,
                    used);
            Completion c;
            try {
                c = completions.poll(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TaskFailedException("Interrupted while waiting for stage " + stageId + " (" + stageName + ")", e);
            }
            if (c == null) {
                if (System.nanoTime() > deadline) {
                    throw new TaskFailedException("Stage " + stageId + " (" + stageName + ") did not finish within "
                            + stageTimeout.toMillis() + " ms (" + SluiceConf.JOB_TIMEOUT.name() + "); " + remaining
                            + " of " + n + " tasks unfinished, executors: " + executors(), null);
                }
                continue;
            }
            Task<U> task = tasks.get(c.index());
            if (done[c.index()]) {
                continue; // a late duplicate
            }
            if (c.lost() != null) {
                if (launches[c.index()] > maxFailures + 4) {
                    throw new TaskFailedException("Task " + task.partition() + " of stage " + stageId + " (" + stageName
                            + ") was launched " + launches[c.index()] + " times and its executor was lost every time; "
                            + "last: " + c.lost().getMessage(), c.lost());
                }
                LOG.warn("Application {}: {} on {} did not complete ({}); it runs again", appId, task, c.executor(),
                        c.lost().toString());
                if (refusesConnections(c.lost()) && isRegistered(c.executor())) {
                    // its process is gone even if the registry has not noticed yet: place nothing more there
                    executorLost(c.executor(), ExecutorLossReason.EXITED,
                            "its RPC server refuses connections: " + c.lost().getMessage());
                }
                pending.addFirst(c.index());
                continue;
            }
            TaskResult<U> result;
            try {
                result = serializer.deserialize(c.outcome().result());
            } catch (RuntimeException e) {
                throw new TaskFailedException("Task " + task.partition() + " of stage " + stageId + " (" + stageName
                        + "): the driver cannot deserialize its result from " + c.executor() + ": " + e.getMessage(), e);
            }
            if (result instanceof TaskResult.Success<U> s) {
                if (s.value() instanceof MapStatus status && !isRegistered(status.location())) {
                    LOG.warn("Application {}: {} finished on {}, which was lost since; it runs again", appId, task,
                            c.executor());
                    pending.addFirst(c.index());
                    continue;
                }
                values[c.index()] = s.value();
                done[c.index()] = true;
                remaining--;
            } else if (result instanceof TaskResult.FetchFailed<U> f) {
                long e = epoch.get();
                Set<Integer> affected = Set.of();
                if (!f.location().equals(DriverMapOutputLocations.MISSING)) {
                    affected = tracker.removeOutputsOn(f.location());
                    e = epoch.incrementAndGet();
                }
                LOG.warn("Application {}: {} on {} could not fetch map {} of shuffle {} from {} ({}); forgot the outputs "
                        + "of shuffles {} there (epoch {}), re-planning", appId, task, c.executor(), f.mapId(),
                        f.shuffleId(), f.location(), f.message(), affected, e);
                throw new FetchFailedException("Task " + task.partition() + " of stage " + stageId + " (" + stageName
                        + ") on " + c.executor() + " could not fetch map " + f.mapId() + " of shuffle " + f.shuffleId()
                        + " from " + f.location() + ": " + f.message(), f.shuffleId());
            } else if (result instanceof TaskResult.StateRestoreFailed<U> r) {
                // the saved copy is unreadable wherever the task runs: no failure of the executor (it must not be
                // excluded: it may be the only one hosting the state slot), and no use retrying the same copy
                LOG.warn("Application {}: {} on {} could not restore partition {} of the state kept under '{}' at {} "
                        + "from {} ({}); the job falls back to an older saved version", appId, task, c.executor(),
                        r.partition(), r.storeKey(), new io.sluice.api.Time(r.versionMs()), r.snapshot(), r.message());
                throw new StateRestoreFailedException("Task " + task.partition() + " of stage " + stageId + " ("
                        + stageName + ") on " + c.executor() + " could not restore saved state: " + r.message(),
                        r.storeKey(), r.partition(), new io.sluice.api.Time(r.versionMs()), r.snapshot());
            } else {
                var failure = (TaskResult.Failure<U>) result;
                int i = c.index();
                failures[i]++;
                failedOn.get(i).add(c.executor());
                recordFailure(c.executor());
                if (failures[i] >= maxFailures) {
                    throw new TaskFailedException("Task " + task.partition() + " of stage " + stageId + " (" + stageName
                            + ") failed " + failures[i] + " times (" + SluiceConf.TASK_MAX_FAILURES.name() + " = "
                            + maxFailures + "); most recent failure on " + c.executor() + ": " + failure.describe(),
                            new RemoteTaskException(failure));
                }
                LOG.warn("Application {}: {} failed on {} (failure {} of {}): {}; it runs again", appId, task,
                        c.executor(), failures[i], maxFailures, failure.describe());
                pending.addLast(i);
            }
        }
        @SuppressWarnings("unchecked")
        List<U> result = (List<U>) Arrays.asList(values);
        return result;
    }

    /** True when the failure comes from a refused connection: nothing listens on the executor's port any more. */
    private static boolean refusesConnections(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private <U> void launchPending(String stageName, List<? extends Task<U>> tasks, byte[][] shipped,
                                   TaskLocality[] locality, long stageStart, ArrayDeque<Integer> pending,
                                   int[] launches, List<Set<ExecutorId>> failedOn,
                                   BlockingQueue<Completion> completions, Set<ExecutorId> used) {
        synchronized (lock) {
            if (closed) {
                throw new TaskFailedException("Cannot run stage " + stageName + ": the scheduler of " + appId + " is closed", null);
            }
            if (fatal != null) {
                throw new TaskFailedException("Cannot run stage " + stageName + ": " + fatal, null);
            }
            boolean waitForLocality = System.nanoTime() - stageStart < localityWait.toNanos();
            int count = pending.size();
            for (int k = 0; k < count && !pending.isEmpty(); k++) {
                int i = pending.pollFirst();
                Slots target = place(locality[i], failedOn.get(i), waitForLocality);
                if (target == null) {
                    pending.addLast(i); // waits for its executor's slot; later tasks may go elsewhere meanwhile
                    continue;
                }
                target.free--;
                int attempt = launches[i]++;
                long taskId = nextTaskId.getAndIncrement();
                var launch = new LaunchTask(taskId, attempt, epoch.get(), shipped[i]);
                var outcome = new CompletableFuture<TaskOutcome>();
                target.running.add(outcome);
                if (used.add(target.id)) {
                    stagesUsing.merge(target.id, 1, Integer::sum);
                }
                LOG.debug("Application {}: launching task {} = {} (attempt {}) on {}", appId, taskId, tasks.get(i),
                        attempt, target.id);
                clients.clientAsync(target.address)
                        .thenCompose(client -> client.<TaskOutcome>ask(TaskMessages.TASKS_ENDPOINT, launch, stageTimeout))
                        .whenComplete((o, t) -> {
                            if (t != null) {
                                outcome.completeExceptionally(t);
                            } else {
                                outcome.complete(o);
                            }
                        });
                int index = i;
                outcome.whenComplete((o, t) -> {
                    synchronized (lock) {
                        target.running.remove(outcome);
                        target.free++;
                        lock.notifyAll();
                    }
                    Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                    completions.add(new Completion(index, target.id, o, cause));
                });
            }
        }
    }

    /**
     * The executor for a task, or null if it has to wait: a task reading state runs only where its slot is hosted;
     * a task with preferred locations runs on one of them with a free slot, or, once {@code waitForLocality} is
     * over (or none of them is registered), anywhere; other tasks anywhere ({@link #pick}). Caller holds the lock.
     */
    private Slots place(TaskLocality where, Set<ExecutorId> avoid, boolean waitForLocality) {
        if (!where.stateSlots().isEmpty()) {
            Slots host = stateHost(where.stateSlots().iterator().next());
            return host != null && host.free > 0 ? host : null;
        }
        if (!where.preferred().isEmpty()) {
            long now = clock.currentTimeMillis();
            boolean preferredAlive = false;
            for (Slots s : executors.values()) {
                if (s.cores - s.receivers <= 0
                        || !where.preferred().contains(s.address.getHostString() + ":" + s.address.getPort())) {
                    continue; // not there, or all its cores run receivers: no use waiting for it
                }
                preferredAlive = true;
                if (s.free > 0 && !avoid.contains(s.id) && excludedUntil.getOrDefault(s.id, 0L) <= now) {
                    return s;
                }
            }
            if (waitForLocality && preferredAlive && avoid.isEmpty()) {
                return null;
            }
        }
        return pick(avoid);
    }

    /**
     * The executor for a task that already failed on {@code avoid}: among those with a free slot, not excluded
     * (unless all that have task slots are) and not in {@code avoid} (unless only those are free), the one with the
     * most free slots. Executors whose cores all run receivers never count as alternatives. Caller holds the lock.
     */
    private Slots pick(Set<ExecutorId> avoid) {
        long now = clock.currentTimeMillis();
        // among the executors that can run tasks at all: one whose cores all run receivers is no alternative
        boolean allExcluded = executors.values().stream()
                .filter(s -> s.cores - s.receivers > 0)
                .allMatch(s -> excludedUntil.getOrDefault(s.id, 0L) > now);
        Slots best = null;
        int bestScore = Integer.MIN_VALUE;
        for (Slots s : executors.values()) {
            if (s.free <= 0 || (!allExcluded && excludedUntil.getOrDefault(s.id, 0L) > now)) {
                continue;
            }
            int score = s.free - (avoid.contains(s.id) ? 1_000_000 : 0);
            if (score > bestScore) {
                best = s;
                bestScore = score;
            }
        }
        if (best != null && avoid.contains(best.id) && executors.size() > avoid.size()) {
            // another executor has not failed this task yet: wait for its slot rather than retry where it failed
            boolean otherFree = executors.values().stream().anyMatch(s -> !avoid.contains(s.id)
                    && s.cores - s.receivers > 0 && excludedUntil.getOrDefault(s.id, 0L) <= now);
            if (otherFree) {
                return null;
            }
        }
        return best;
    }

    private void recordFailure(ExecutorId id) {
        long now = clock.currentTimeMillis();
        synchronized (lock) {
            var times = failureTimes.computeIfAbsent(id, k -> new ArrayDeque<>());
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst() < now - excludeFor.toMillis()) {
                times.pollFirst();
            }
            if (times.size() >= excludeAfter && executors.containsKey(id)) {
                excludedUntil.put(id, now + excludeFor.toMillis());
                times.clear();
                LOG.warn("Application {}: executor {} had {} task failures within {} ms; no tasks go there for {} ms "
                        + "({})", appId, id, excludeAfter, excludeFor.toMillis(), excludeFor.toMillis(),
                        SluiceConf.EXCLUDE_MAX_TASK_FAILURES.name());
            }
        }
    }

    /** True while {@code id} is excluded from task placement. */
    public boolean isExcluded(ExecutorId id) {
        synchronized (lock) {
            return excludedUntil.getOrDefault(id, 0L) > clock.currentTimeMillis();
        }
    }

    private boolean isRegistered(ExecutorId id) {
        synchronized (lock) {
            return executors.containsKey(id);
        }
    }

    // ---------------------------------------------------------------- releases and the map-output endpoint

    @Override
    public void forgetState(String storeKey, io.sluice.api.Time upTo) {
        tellAll(new TaskMessages.ForgetState(storeKey, upTo.milliseconds()));
    }

    @Override
    public void releaseShuffle(int shuffleId) {
        tellAll(new ReleaseShuffle(shuffleId));
    }

    @Override
    public void releaseDataset(int datasetId) {
        tellAll(new ReleaseDataset(datasetId));
    }

    private void tellAll(Object message) {
        List<Slots> targets;
        synchronized (lock) {
            targets = closed ? List.of() : List.copyOf(executors.values());
        }
        for (Slots s : targets) {
            clients.clientAsync(s.address).thenCompose(c -> c.send(TaskMessages.TASKS_ENDPOINT, message))
                    .whenComplete((v, t) -> {
                        if (t != null) {
                            LOG.debug("Application {}: could not send {} to {}: {}", appId, message, s.id, t.toString());
                        }
                    });
        }
    }

    /** The driver's {@value TaskMessages#MAP_OUTPUTS_ENDPOINT} endpoint: answers {@link GetMapOutputs}. */
    public RpcEndpoint mapOutputsEndpoint() {
        return this::answerMapOutputs;
    }

    private Object answerMapOutputs(RpcCallContext ctx, Object message) {
        if (!(message instanceof GetMapOutputs get)) {
            throw new IllegalArgumentException("the map-outputs endpoint does not handle " + message.getClass().getName());
        }
        MapStatus[] statuses = tracker.snapshot(get.shuffleId());
        var addresses = new HashMap<ExecutorId, String>();
        synchronized (lock) {
            for (MapStatus s : statuses) {
                Slots slots = s == null ? null : executors.get(s.location());
                if (slots != null) {
                    addresses.put(slots.id, slots.address.getHostString() + ":" + slots.address.getPort());
                }
            }
        }
        return new MapOutputs(get.shuffleId(), statuses, addresses);
    }

    /** Fails every running and later stage; the executors themselves belong to the caller. Idempotent. */
    @Override
    public void close() {
        List<CompletableFuture<TaskOutcome>> running = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            executors.values().forEach(s -> running.addAll(s.running));
            lock.notifyAll();
        }
        var stopping = new IllegalStateException("the scheduler of " + appId + " is closing");
        running.forEach(f -> f.completeExceptionally(stopping));
    }

    @Override
    public String toString() {
        return "ClusterTaskScheduler[" + appId + ", executors " + Collections.unmodifiableList(executors()) + "]";
    }
}
