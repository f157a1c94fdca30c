package io.sluice.api;

import io.sluice.batch.SluiceContext;
import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Every test of {@link PairDStreamOperationsTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]}. */
class PairDStreamOperationsOnLocalClusterTest extends PairDStreamOperationsTest {
    @TempDir
    static Path workDir;

    private static SluiceContext cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalClusterFixture.start("pair-dstream-operations", workDir);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected StreamingTestKit kit(int partitions) {
        return StreamingTestKit.create().context(cluster).numPartitions(partitions);
    }
}
