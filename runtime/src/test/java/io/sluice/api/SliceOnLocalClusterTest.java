package io.sluice.api;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test of {@link SliceTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]}. The tests
 * come from the parent class.
 */
class SliceOnLocalClusterTest extends SliceTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("slice");

    @Override
    protected StreamingTestKit kit() {
        return StreamingTestKit.create().context(cluster.context());
    }
}
