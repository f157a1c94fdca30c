package io.sluice.cluster;

/** How an application ended, as the driver tells its cluster manager ({@link ClusterBackend#deregister}). */
public enum FinalStatus {
    SUCCEEDED,
    FAILED,
    KILLED
}
