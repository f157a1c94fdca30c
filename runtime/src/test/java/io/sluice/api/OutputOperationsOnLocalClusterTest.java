package io.sluice.api;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test of {@link OutputOperationsTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]}. The tests
 * come from the parent class.
 */
class OutputOperationsOnLocalClusterTest extends OutputOperationsTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("output-operations");

    @Override
    protected StreamingTestKit kit() {
        return StreamingTestKit.create().context(cluster.context());
    }
}
