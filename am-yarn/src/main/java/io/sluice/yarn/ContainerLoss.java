package io.sluice.yarn;

import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerStatus;

/**
 * A finished YARN container translated into the runtime's vocabulary: YARN's {@link ContainerExitStatus} (and, for a
 * lost node, its diagnostics) mapped onto an {@link ExecutorLossReason}, with a sentence naming the executor and the
 * container and carrying YARN's diagnostics.
 */
public record ContainerLoss(ExecutorLossReason reason, String diagnostics) {

    /**
     * @param releasedByDriver true when the ApplicationMaster released the container itself (its exit then reads as a
     *                         release, whatever YARN reports)
     */
    public static ContainerLoss of(ExecutorId id, ContainerStatus status, boolean releasedByDriver) {
        int exit = status.getExitStatus();
        String yarnDiagnostics = status.getDiagnostics() == null ? "" : status.getDiagnostics().strip();
        String lower = yarnDiagnostics.toLowerCase(java.util.Locale.ROOT);
        ExecutorLossReason reason;
        String what;
        if (releasedByDriver) {
            reason = ExecutorLossReason.RELEASED_BY_DRIVER;
            what = "was released by the driver";
        } else if (exit == ContainerExitStatus.PREEMPTED) {
            reason = ExecutorLossReason.PREEMPTED;
            what = "was preempted by YARN";
        } else if (exit == ContainerExitStatus.KILLED_EXCEEDED_PMEM || exit == ContainerExitStatus.KILLED_EXCEEDED_VMEM) {
            reason = ExecutorLossReason.MEMORY_LIMIT;
            what = "was killed by YARN for exceeding its " + (exit == ContainerExitStatus.KILLED_EXCEEDED_PMEM ? "physical" : "virtual")
                    + " memory limit (raise sluice.executor.memory or sluice.executor.memoryOverhead)";
        } else if (exit == ContainerExitStatus.DISKS_FAILED) {
            reason = ExecutorLossReason.DISK_FAILED;
            what = "was lost because the disks of its node failed";
        } else if (exit == ContainerExitStatus.ABORTED && lower.replace("*", "").contains("lost node")) {
            reason = ExecutorLossReason.NODE_LOST;
            what = "was lost with its node";
        } else if (exit == io.sluice.executor.ExecutorExitCode.OUT_OF_MEMORY.code()) {
            reason = ExecutorLossReason.MEMORY_LIMIT;
            what = "ran out of heap (" + io.sluice.executor.ExecutorExitCode.describe(exit) + ")";
        } else {
            reason = ExecutorLossReason.EXITED;
            what = "exited with status " + exit + (exit >= 0 ? " (" + io.sluice.executor.ExecutorExitCode.describe(exit) + ")" : "");
        }
        return new ContainerLoss(reason, "executor " + id + " in container " + status.getContainerId() + " " + what
                + (yarnDiagnostics.isEmpty() ? "" : "; YARN: " + yarnDiagnostics));
    }
}
