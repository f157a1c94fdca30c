package io.sluice.control;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a cluster driver offers the streaming layer when dynamic allocation is on: the checked settings, the executors'
 * size, and a way to run an {@link ExecutorAllocationController} on the thread that owns the
 * {@link ExecutorAllocationClient} (the allocator's main thread). Obtained from
 * {@code SluiceContext.executorAllocation()}, which is empty for {@code local[N]} and when
 * {@code sluice.dynamicAllocation.enabled} is false.
 */
public interface ExecutorAllocationHost {
    /** The settings, validated when the driver started. */
    DynamicAllocationConfig config();

    /** Cores of each executor, as the controller's {@code coresPerExecutor}. */
    int executorCores();

    /** The client the controller must be built with; its methods may only be called by {@link #drive}'s thread. */
    ExecutorAllocationClient client();

    /**
     * Calls {@code controller.start(now)} on the client's thread, then {@code controller.runOnce(now)} there every
     * {@code period}, {@code now} being {@code clock.getAsLong()}. An exception from one call is logged and the next
     * call still happens. Returns a handle whose {@code close()} stops the calls (idempotent, does not wait for a call
     * in progress); the calls also stop when the cluster stops.
     */
    AutoCloseable drive(ExecutorAllocationController controller, Duration period, LongSupplier clock);
}
