package io.sluice.cluster;

import io.sluice.control.ExecutorAllocationClient;
import io.sluice.control.FailureWindow;
import io.sluice.control.RestartBackoff;
import io.sluice.util.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The executor policy, written once for every cluster manager: keeps the number of executors at the target
 * ({@link #requestTotalExecutors}), tracks each executor from launch request through registration to loss, fails
 * executors that do not register in time, backs off after failures, and gives up when failures exceed the budget.
 * Backends only start and stop processes.
 *
 * <p>Threading: every method must be called on the {@code mainThread} executor given at construction (backend
 * futures hop onto it), so the maps need no locks; tests pass a direct executor and step time with
 * {@link #runOnce(long)}.
 *
 * <p>Pacing: at most {@code maxPendingLaunches} launches are in flight at once — asked of the backend but not yet
 * seen starting ({@code executorLaunched}) — so that a cluster manager that is slow to place executors (a Kubernetes
 * API server, a full YARN queue) is not flooded with requests; more follow as those start. A launch the backend
 * accepted but never reported starting within {@code launchTimeout} is given up (released) and replaced, without
 * counting as a failure (the cluster manager had no room, the executor did nothing wrong); one that started but does
 * not register within {@code registrationTimeout} is released and counts as a failure.
 *
 * <p>Release order when the target drops: launch requests not yet accepted, then executors not yet registered,
 * then registered executors, newest first, skipping those {@code releasable} refuses (hosting a receiver or the
 * only copy of a block).
 *
 * <p>Locality: each launch asks for the hosts (as the backend reported them in {@code executorLaunched}) of the
 * executors {@code localityHint} names, in its order, as {@link ExecutorSpec#preferredHosts()}: a new executor next
 * to the receivers (and the blocks they store) and the state it will work on. Backends treat them as a preference,
 * never a requirement, or ignore them.
 */
public final class ExecutorAllocator implements ExecutorEventHandler, ExecutorAllocationClient {
    private static final Logger LOG = LogManager.getLogger(ExecutorAllocator.class);

    private final ClusterBackend backend;
    private final ExecutorSpec spec;
    private final Clock clock;
    private final Executor mainThread;
    private final Duration registrationTimeout;
    private final RestartBackoff backoff;
    private final FailureWindow failures;
    private final Predicate<ExecutorId> releasable;
    private final Consumer<String> onFatal;
    private final Supplier<List<ExecutorId>> localityHint;

    private final int maxPendingLaunches;
    private final Duration launchTimeout;
    private final Map<Integer, CompletableFuture<ExecutorId>> requested = new LinkedHashMap<>();
    /** Accepted by the backend, not yet registered: the deadline of its launch (if unseen) or of its registration. */
    private final Map<ExecutorId, Long> registering = new LinkedHashMap<>();
    /** Of {@link #registering}: accepted but not yet seen starting ({@code executorLaunched}). */
    private final Set<ExecutorId> unseen = new HashSet<>();
    /** Seen starting before the backend's answer to the launch arrived (the answer hops onto the main thread later). */
    private final Set<ExecutorId> seenEarly = new HashSet<>();
    private final Map<ExecutorId, Long> running = new LinkedHashMap<>();
    private final Set<ExecutorId> releasedByUs = new HashSet<>();
    private final Map<ExecutorId, String> hosts = new HashMap<>(); // as the backend reported them at launch
    private int target;
    private int nextRequest;
    private int consecutiveFailures;
    private long backoffUntil;
    private String fatal;
    private boolean launchesStopped;
    private int launchesGivenUp;

    public ExecutorAllocator(ClusterBackend backend, ExecutorSpec spec, Clock clock, Executor mainThread,
                             Duration registrationTimeout, RestartBackoff backoff, FailureWindow failures,
                             Predicate<ExecutorId> releasable, Consumer<String> onFatal) {
        this(backend, spec, clock, mainThread, registrationTimeout, backoff, failures, releasable, onFatal, List::of);
    }

    /**
     * @param localityHint the executors new ones should run next to (hosting receivers, received blocks or state),
     *                     most important first; called on the main thread before each launch, must not block
     */
    public ExecutorAllocator(ClusterBackend backend, ExecutorSpec spec, Clock clock, Executor mainThread,
                             Duration registrationTimeout, RestartBackoff backoff, FailureWindow failures,
                             Predicate<ExecutorId> releasable, Consumer<String> onFatal,
                             Supplier<List<ExecutorId>> localityHint) {
        this(backend, spec, clock, mainThread, registrationTimeout, backoff, failures, releasable, onFatal, localityHint,
                new Pacing(0, Duration.ofMinutes(10)));
    }

    /**
     * How launches are paced.
     *
     * @param maxPendingLaunches launches in flight at most (asked, not yet seen starting); 0 means no limit
     * @param launchTimeout      how long an accepted launch may take to start before it is given up and replaced
     */
    public record Pacing(int maxPendingLaunches, Duration launchTimeout) {
        public Pacing {
            if (maxPendingLaunches < 0) {
                throw new IllegalArgumentException("maxPendingLaunches must be >= 0, got " + maxPendingLaunches);
            }
            if (launchTimeout.isNegative() || launchTimeout.isZero()) {
                throw new IllegalArgumentException("launchTimeout must be > 0, got " + launchTimeout);
            }
        }
    }

    /** @param pacing how many launches may be in flight, and how long one may take to start */
    public ExecutorAllocator(ClusterBackend backend, ExecutorSpec spec, Clock clock, Executor mainThread,
                             Duration registrationTimeout, RestartBackoff backoff, FailureWindow failures,
                             Predicate<ExecutorId> releasable, Consumer<String> onFatal,
                             Supplier<List<ExecutorId>> localityHint, Pacing pacing) {
        this.maxPendingLaunches = pacing.maxPendingLaunches();
        this.launchTimeout = pacing.launchTimeout();
        this.backend = backend;
        this.spec = spec;
        this.clock = clock;
        this.mainThread = mainThread;
        this.registrationTimeout = registrationTimeout;
        this.backoff = backoff;
        this.failures = failures;
        this.releasable = releasable;
        this.onFatal = onFatal;
        this.localityHint = localityHint;
    }

    /** Sets the number of executors wanted and acts on it at once. */
    @Override
    public void requestTotalExecutors(int total) {
        if (total < 0) {
            throw new IllegalArgumentException("requested executor total must be >= 0, got " + total);
        }
        if (total != target) {
            LOG.info("Executor target {} -> {} (requested {}, registering {}, running {})", target, total,
                    requested.size(), registering.size(), running.size());
        }
        target = total;
        reconcile(clock.currentTimeMillis());
    }

    /**
     * The executor connected to the driver: it now counts as running. An id the allocator is not waiting for (never
     * launched, already released, or timed out) is ignored, so that a late registration cannot count an executor
     * that is being stopped; a repeated call does nothing.
     */
    public void onRegistered(ExecutorId id) {
        if (registering.remove(id) != null) {
            unseen.remove(id);
            running.put(id, clock.currentTimeMillis());
            consecutiveFailures = 0;
        } else if (!running.containsKey(id)) {
            LOG.warn("Executor {} registered, but it is not one the allocator is waiting for (released or timed out); ignored", id);
        }
    }

    /**
     * No executor is launched, released or replaced any more (the application ended and is being deregistered);
     * events are still tracked. Irreversible.
     */
    public void stopLaunching() {
        launchesStopped = true;
    }

    /**
     * One pass of the policy: give up launches that did not start in time and time out registrations, then launch or
     * release toward the target.
     */
    public void runOnce(long nowMs) {
        var expired = new ArrayList<ExecutorId>();
        registering.forEach((id, deadline) -> {
            if (deadline <= nowMs) {
                expired.add(id);
            }
        });
        for (ExecutorId id : expired) {
            registering.remove(id);
            hosts.remove(id);
            releasedByUs.add(id);
            backend.releaseExecutor(id);
            if (unseen.remove(id)) {
                launchesGivenUp++;
                LOG.warn("Executor {} was accepted by the cluster manager but did not start within {} ms; gave it up and "
                        + "asked for another (not counted as a failure)", id, launchTimeout.toMillis());
            } else {
                LOG.warn("Executor {} did not register within {} ms; released it", id, registrationTimeout.toMillis());
                recordFailure(nowMs, id, ExecutorLossReason.REGISTRATION_TIMEOUT, "");
            }
        }
        reconcile(nowMs);
    }

    private void reconcile(long nowMs) {
        if (fatal != null || launchesStopped) {
            return;
        }
        int have = requested.size() + registering.size() + running.size();
        if (have < target) {
            if (nowMs < backoffUntil) {
                return; // a later runOnce launches them
            }
            int missing = target - have;
            int room = maxPendingLaunches == 0 ? missing
                    : Math.max(0, Math.min(missing, maxPendingLaunches - inFlight()));
            for (int i = 0; i < room; i++) {
                launchOne();
            }
            if (room < missing) {
                LOG.debug("{} executors wait for launches in flight ({} at most)", missing - room, maxPendingLaunches);
            }
        } else if (have > target) {
            releaseExcess(have - target);
        }
    }

    private void launchOne() {
        int request = nextRequest++;
        CompletableFuture<ExecutorId> f;
        try {
            f = backend.launchExecutor(specForNextLaunch());
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        requested.put(request, f);
        f.whenCompleteAsync((id, error) -> onLaunchAnswered(request, id, error), mainThread);
    }

    /** {@link #spec} preferring the hosts of the executors the locality hint names (those whose host is known). */
    private ExecutorSpec specForNextLaunch() {
        List<ExecutorId> near;
        try {
            near = localityHint.get();
        } catch (RuntimeException e) {
            LOG.warn("The locality hint failed; launching without a host preference: {}", e.toString());
            return spec;
        }
        var preferred = new LinkedHashSet<String>(spec.preferredHosts());
        for (ExecutorId id : near) {
            String host = hosts.get(id);
            if (host != null) {
                preferred.add(host);
            }
        }
        return preferred.isEmpty() ? spec : spec.withPreferredHosts(preferred);
    }

    private void onLaunchAnswered(int request, ExecutorId id, Throwable error) {
        if (requested.remove(request) == null) {
            // cancelled while the cluster manager was answering: give back what it started anyway
            if (id != null) {
                releasedByUs.add(id);
                backend.releaseExecutor(id);
            }
            return;
        }
        long now = clock.currentTimeMillis();
        if (error != null) {
            recordFailure(now, null, ExecutorLossReason.LAUNCH_FAILED, String.valueOf(error.getMessage()));
            reconcile(now);
            return;
        }
        if (seenEarly.remove(id)) {
            registering.put(id, now + registrationTimeout.toMillis());
            reconcile(now); // one fewer in flight
        } else {
            unseen.add(id);
            registering.put(id, now + launchTimeout.toMillis());
        }
    }

    /** Launches asked of the backend and not yet seen starting. */
    private int inFlight() {
        return requested.size() + unseen.size();
    }

    private void releaseExcess(int excess) {
        var newestRequests = new ArrayList<>(requested.keySet());
        for (int i = newestRequests.size() - 1; i >= 0 && excess > 0; i--) {
            // keep the entry out of `requested`: onLaunchAnswered then releases whatever comes back
            requested.remove(newestRequests.get(i));
            excess--;
        }
        excess = release(registering, excess, false);
        release(running, excess, true);
    }

    private int release(Map<ExecutorId, Long> from, int excess, boolean guarded) {
        var ids = new ArrayList<>(from.keySet());
        for (int i = ids.size() - 1; i >= 0 && excess > 0; i--) {
            ExecutorId id = ids.get(i);
            if (guarded && !releasable.test(id)) {
                continue;
            }
            from.remove(id);
            unseen.remove(id);
            hosts.remove(id);
            releasedByUs.add(id);
            backend.releaseExecutor(id);
            LOG.info("Released executor {}", id);
            excess--;
        }
        return excess;
    }

    private void recordFailure(long nowMs, ExecutorId id, ExecutorLossReason reason, String diagnostics) {
        consecutiveFailures++;
        backoffUntil = nowMs + backoff.delayAfter(consecutiveFailures).toMillis();
        if (!failures.recordFailure(nowMs)) {
            fatal = "Executors failed " + failures.failuresInWindow(nowMs) + " times, more than the budget ("
                    + failures + "); last: " + (id == null ? "a launch" : "executor " + id) + " " + reason.description()
                    + (diagnostics.isEmpty() ? "" : ": " + diagnostics);
            LOG.error(fatal);
            onFatal.accept(fatal);
        }
    }

    // ---------------------------------------------------------------- events from the backend (main thread)

    @Override
    public void executorLaunched(ExecutorId id, String host) {
        LOG.info("Executor {} launched on {}", id, host);
        if (releasedByUs.contains(id)) {
            return;
        }
        if (host != null && !host.isBlank()) { // may come before the launch's answer
            hosts.put(id, host);
        }
        if (unseen.remove(id)) {
            long now = clock.currentTimeMillis();
            registering.put(id, now + registrationTimeout.toMillis()); // it started: now it has to register
            reconcile(now); // one fewer in flight: the next may go
        } else if (!registering.containsKey(id) && !running.containsKey(id)) {
            seenEarly.add(id);
        }
    }

    @Override
    public void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
        hosts.remove(id);
        seenEarly.remove(id);
        unseen.remove(id);
        if (releasedByUs.remove(id)) {
            return; // we asked for it
        }
        boolean known = registering.remove(id) != null | running.remove(id) != null;
        if (!known && reason != ExecutorLossReason.LAUNCH_FAILED) {
            return; // duplicate report
        }
        LOG.warn("Executor {} lost: {} {}", id, reason.description(), diagnostics);
        long now = clock.currentTimeMillis();
        if (reason.countsAsFailure()) {
            recordFailure(now, id, reason, diagnostics);
        }
        reconcile(now);
    }

    @Override
    public void executorsRecovered(List<ExecutorId> ids) {
        // a restarted driver starts with fresh executors: the previous attempt's are released
        for (ExecutorId id : ids) {
            releasedByUs.add(id);
            backend.releaseExecutor(id);
        }
    }

    @Override
    public void fatalError(Throwable error) {
        fatal = "Cluster backend failed: " + error;
        onFatal.accept(fatal);
    }

    // ---------------------------------------------------------------- state, for the UI and tests

    public int target() {
        return target;
    }

    public int pendingLaunches() {
        return requested.size();
    }

    /** Executors the backend accepted that have not registered yet (whether or not they were seen starting). */
    public int registering() {
        return registering.size();
    }

    /** Executors the backend accepted but has not reported starting yet. */
    public int unseen() {
        return unseen.size();
    }

    /** Launches given up because they did not start within the launch timeout, since construction. */
    public int launchesGivenUp() {
        return launchesGivenUp;
    }

    public List<ExecutorId> running() {
        return List.copyOf(running.keySet());
    }

    @Override
    public int runningExecutors() {
        return running.size();
    }

    public boolean isFailed() {
        return fatal != null;
    }
}
