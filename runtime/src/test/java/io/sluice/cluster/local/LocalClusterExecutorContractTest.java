package io.sluice.cluster.local;

import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ExecutorBackendContract;
import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The executor contract on {@code local-cluster[E,C,M]}: executors as child JVMs of this one. */
class LocalClusterExecutorContractTest extends ExecutorBackendContract {
    @TempDir
    Path workDir;

    @Override
    protected SluiceConf configure(SluiceConf conf) {
        return conf.set(SluiceConf.MASTER, "local-cluster[2,1,256]").set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString());
    }

    @Override
    protected ClusterBackend newBackend(SluiceConf conf) {
        return new LocalClusterManagerFactory().create(conf);
    }
}
