package io.sluice.api;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every test of {@link PairDStreamOperationsTest}, assertions unchanged, with the tasks of each batch running on {@code local-cluster[2,1,512]}. */
class PairDStreamOperationsOnLocalClusterTest extends PairDStreamOperationsTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("pair-dstream-operations");

    @Override
    protected StreamingTestKit kit(int partitions) {
        return StreamingTestKit.create().context(cluster.context()).numPartitions(partitions);
    }
}
