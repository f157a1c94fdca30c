package io.sluice.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The mechanism of one cluster manager: start and stop executor processes. It never decides how many executors
 * there should be, nor paces launches — that is {@link ExecutorAllocator}'s job, above this seam. Each executor
 * starts from an {@link ExecutorLaunchPlan} (the same JVM command and environment everywhere), which the backend turns
 * into its cluster manager's unit. {@link AbstractClusterBackend} holds the lifecycle and threading every backend needs.
 *
 * <p>Lifecycle: {@code start(events, mainThread, io)} once, then any number of {@code launchExecutor} /
 * {@code releaseExecutor}, optionally {@code deregister(finalStatus, diagnostics)} when the application ended, then
 * {@code stop()} (idempotent; closes every client and reports the first failure with the others suppressed). The
 * future of {@code launchExecutor} completes with the id once the cluster manager accepted the request; that does not
 * mean the process started — {@code executorLaunched} or {@code executorLost(LAUNCH_FAILED)} follows through the
 * handler. For one id, {@code executorLaunched} always comes before any {@code executorLost}; {@code executorLost} may
 * arrive with {@link ExecutorLossReason#LAUNCH_FAILED} for an id that was never launched; no event arrives after
 * {@code stop()}.
 */
public interface ClusterBackend extends AutoCloseable {

    void start(ExecutorEventHandler events, Executor mainThread, Executor io);

    CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec);

    /** Stops the executor; an unknown or already gone id is ignored. */
    void releaseExecutor(ExecutorId id);

    void stop();

    /**
     * Tells the cluster manager that the application ended with {@code status}, and why ({@code diagnostics}, empty
     * if nothing to say): a cluster manager that supervises the driver (YARN) records it as the application's final
     * status and does not start the driver again. Launches are refused afterwards; {@link #stop()} still follows. At
     * most once (later calls do nothing); may block, bounded. A backend whose cluster manager has no such notion
     * (local-cluster) only records it.
     */
    void deregister(FinalStatus status, String diagnostics);

    /**
     * The driver's HTTP server (REST API, metrics, web UI) now serves at {@code url}: a backend whose cluster manager
     * links to its applications (YARN's tracking URL) publishes it there. Called at most once per start of a
     * streaming context, from any thread, after {@link #start}; must not block. By default nothing happens.
     */
    default void publishDriverUi(java.net.URI url) {
    }

    @Override
    default void close() {
        stop();
    }
}
