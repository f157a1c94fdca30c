package io.sluice.control;

/**
 * What the {@link ExecutorAllocationController} needs from the cluster: how many executors are running now and a
 * way to ask for a total. Implemented by {@code io.sluice.cluster.ExecutorAllocator}; tests pass a fake. Both
 * methods are called on the thread that calls {@link ExecutorAllocationController#runOnce(long)}.
 */
public interface ExecutorAllocationClient {
    /** Executors registered and able to run tasks; launches not yet registered do not count. */
    int runningExecutors();

    /**
     * Sets the number of executors wanted. The implementation decides which ones to release and must refuse
     * executors that host a receiver or the only copy of a block; the controller relies on that.
     */
    void requestTotalExecutors(int total);
}
