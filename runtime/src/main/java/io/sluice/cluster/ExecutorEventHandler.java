package io.sluice.cluster;

import java.util.List;

/**
 * How a {@link ClusterBackend} reports back. Calls may come from any thread; the receiver hops them onto its own
 * main thread. For one executor id, {@code executorLaunched} always comes before any {@code executorLost}, except
 * that {@code executorLost} with {@link ExecutorLossReason#LAUNCH_FAILED} may arrive for an id never launched.
 * Reporting a loss twice is harmless.
 */
public interface ExecutorEventHandler {

    /** The executor's process is starting on {@code host}; it will register with the driver by itself. */
    void executorLaunched(ExecutorId id, String host);

    void executorLost(ExecutorId id, ExecutorLossReason reason, String diagnostics);

    /** Executors of a previous application attempt that are still alive (the backend found them at start). */
    void executorsRecovered(List<ExecutorId> ids);

    /** The backend cannot go on (e.g. the cluster manager rejected the application). */
    void fatalError(Throwable error);
}
