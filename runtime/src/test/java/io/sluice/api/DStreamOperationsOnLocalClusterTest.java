package io.sluice.api;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every test of {@link DStreamOperationsTest}, assertions unchanged, with the tasks of each batch running on {@code local-cluster[2,1,512]}. */
class DStreamOperationsOnLocalClusterTest extends DStreamOperationsTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("dstream-operations");

    @Override
    protected StreamingTestKit kit(int partitions) {
        return StreamingTestKit.create().context(cluster.context()).numPartitions(partitions);
    }
}
