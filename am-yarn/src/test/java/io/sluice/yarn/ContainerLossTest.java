package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ContainerExitStatus;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerState;
import org.apache.hadoop.yarn.api.records.ContainerStatus;
import org.junit.jupiter.api.Test;

class ContainerLossTest {
    private static final ExecutorId ID = new ExecutorId("app-exec-1-1");
    private static final ContainerId CID = ContainerId.newContainerId(
            ApplicationAttemptId.newInstance(ApplicationId.newInstance(1L, 7), 1), 2);

    private static ContainerLoss loss(int exit, String diagnostics, boolean released) {
        return ContainerLoss.of(ID, ContainerStatus.newInstance(CID, ContainerState.COMPLETE, diagnostics, exit), released);
    }

    @Test
    void yarnExitStatusesMapOntoTheSharedReasons() {
        assertThat(loss(ContainerExitStatus.PREEMPTED, "preempted", false).reason()).isEqualTo(ExecutorLossReason.PREEMPTED);
        assertThat(loss(ContainerExitStatus.KILLED_EXCEEDED_PMEM, "", false).reason()).isEqualTo(ExecutorLossReason.MEMORY_LIMIT);
        assertThat(loss(ContainerExitStatus.KILLED_EXCEEDED_VMEM, "", false).reason()).isEqualTo(ExecutorLossReason.MEMORY_LIMIT);
        assertThat(loss(ContainerExitStatus.DISKS_FAILED, "", false).reason()).isEqualTo(ExecutorLossReason.DISK_FAILED);
        assertThat(loss(ContainerExitStatus.ABORTED, "Container released on a *lost* node", false).reason())
                .isEqualTo(ExecutorLossReason.NODE_LOST);
        assertThat(loss(1, "Exception from container-launch", false).reason()).isEqualTo(ExecutorLossReason.EXITED);
        assertThat(loss(3, "", false).reason()).isEqualTo(ExecutorLossReason.MEMORY_LIMIT);
        assertThat(loss(ContainerExitStatus.ABORTED, "released by AM", true).reason()).isEqualTo(ExecutorLossReason.RELEASED_BY_DRIVER);
    }

    @Test
    void diagnosticsNameTheExecutorTheContainerAndYarnsWords() {
        var l = loss(ContainerExitStatus.KILLED_EXCEEDED_PMEM, "Container is running beyond physical memory limits", false);
        assertThat(l.diagnostics()).contains("app-exec-1-1").contains(CID.toString())
                .contains("physical memory limit").contains("YARN: Container is running beyond physical memory limits");
        assertThat(ExecutorLossReason.PREEMPTED.countsAsFailure()).isFalse();
        assertThat(ExecutorLossReason.DISK_FAILED.countsAsFailure()).isFalse();
    }

    @Test
    void theFactoryClaimsYarnOnly() {
        var f = new YarnClusterManagerFactory();
        assertThat(f.supports("yarn")).isTrue();
        assertThat(f.supports(" yarn ")).isTrue();
        assertThat(f.supports("yarn-cluster")).isFalse();
        assertThat(f.supports("local[2]")).isFalse();
    }
}
