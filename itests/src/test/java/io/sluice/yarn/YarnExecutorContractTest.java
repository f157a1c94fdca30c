package io.sluice.yarn;

import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ExecutorBackendContract;
import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The executor contract on YARN (one {@link MiniYarnDfs} for the class): the backend a driver in this JVM gets for
 * {@code --master yarn} in client deploy mode, i.e. an executor-launcher ApplicationMaster whose
 * {@link YarnClusterBackend} starts each executor in a YARN container from the shared launch plan. Killing the
 * executor's JVM inside its container must come back as a lost executor (the container's exit), replaced by a new
 * container; releasing and stopping must leave no container process.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YarnExecutorContractTest extends ExecutorBackendContract {
    private static MiniYarnDfs cluster;
    private static Path appJar;
    private static List<Path> sluiceJars;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-executor-contract");
        appJar = YarnApps.packApp("yarn-executor-contract.jar");
        sluiceJars = YarnApps.sluiceJars();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected SluiceConf configure(SluiceConf conf) {
        YarnApps.appConf().asMap().forEach(conf::set);
        return cluster.clientModeDriver(conf, appJar, sluiceJars);
    }

    @Override
    protected ClusterBackend newBackend(SluiceConf conf) {
        return new YarnClusterManagerFactory().create(conf);
    }

    @Override
    protected Duration timeout() {
        return Duration.ofMinutes(4);
    }
}
