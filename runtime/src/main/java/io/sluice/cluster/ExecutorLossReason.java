package io.sluice.cluster;

/**
 * Why an executor went away, in one vocabulary for every cluster manager (each backend maps its own exit
 * statuses onto these). Only some reasons count against the launch-failure budget: being preempted or released
 * by the driver is not the executor's fault.
 */
public enum ExecutorLossReason {
    PREEMPTED(false, "preempted by the cluster manager"),
    NODE_LOST(false, "its node was lost"),
    DISK_FAILED(false, "the disks of its node failed"),
    MEMORY_LIMIT(true, "killed for exceeding its memory limit"),
    EXITED(true, "the executor process exited"),
    LAUNCH_FAILED(true, "it could not be launched"),
    REGISTRATION_TIMEOUT(true, "it did not register with the driver in time"),
    HEARTBEAT_TIMEOUT(true, "the driver heard no heartbeat from it within sluice.executor.lostTimeout"),
    RELEASED_BY_DRIVER(false, "released by the driver");

    private final boolean countsAsFailure;
    private final String description;

    ExecutorLossReason(boolean countsAsFailure, String description) {
        this.countsAsFailure = countsAsFailure;
        this.description = description;
    }

    /** True if this loss counts against the failure budget. */
    public boolean countsAsFailure() {
        return countsAsFailure;
    }

    public String description() {
        return description;
    }
}
