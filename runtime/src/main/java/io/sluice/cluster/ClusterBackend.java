package io.sluice.cluster;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The mechanism of one cluster manager: start and stop executor processes. It never decides how many executors
 * there should be — that is {@link ExecutorAllocator}'s job, above this seam.
 *
 * <p>Lifecycle: {@code start(events, mainThread, io)} once, then any number of {@code launchExecutor} /
 * {@code releaseExecutor}, then {@code stop()} (idempotent; closes every client and reports the first failure with
 * the others suppressed). The future of {@code launchExecutor} completes with the id once the cluster manager
 * accepted the request; that does not mean the process started — {@code executorLaunched} or
 * {@code executorLost(LAUNCH_FAILED)} follows through the handler.
 */
public interface ClusterBackend extends AutoCloseable {

    void start(ExecutorEventHandler events, Executor mainThread, Executor io);

    CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec);

    /** Stops the executor; an unknown or already gone id is ignored. */
    void releaseExecutor(ExecutorId id);

    void stop();

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
