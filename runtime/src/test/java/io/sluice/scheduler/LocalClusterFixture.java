package io.sluice.scheduler;

import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code local-cluster[2,1,512]} context the cluster variants of the operation test suites share (one per test
 * class): manual streaming clock, small RPC pools, executor logs under {@code workDir}.
 */
public final class LocalClusterFixture {
    public static final String MASTER = "local-cluster[2,1,512]";

    private LocalClusterFixture() {
    }

    /** Starts the cluster (two executor JVMs) and returns once both registered; close it in {@code @AfterAll}. */
    public static SluiceContext start(String appName, Path workDir) {
        return new SluiceContext(new SluiceConf(false).setMaster(MASTER).setAppName(appName)
                .set(SluiceConf.CLOCK, "manual")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(60)));
    }
}
