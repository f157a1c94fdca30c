package io.sluice.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting a {@code local-cluster} context whose executors do not register in time. */
class LocalClusterStartTest {
    @TempDir
    Path workDir;

    @Test
    void executorsThatDoNotRegisterInTimeFailTheContextAndLeaveNoProcess() {
        var conf = new SluiceConf(false).setMaster("local-cluster[2,1,128]").setAppName("too-slow")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                // no JVM starts and registers within 20 ms
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofMillis(20));
        assertThatThrownBy(() -> new SluiceContext(conf))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("executors registered within 20 ms (sluice.executor.registrationTimeout)")
                .hasMessageContaining("on local-cluster[2,1,128]");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList())
                .as("executor JVMs left behind").isEmpty();
    }
}
