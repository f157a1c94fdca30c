package io.sluice.dstream;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every test of {@link MapWithStateTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]}: the
 * state lives in the executors' stores, each partition where its state slot is hosted. The tests come from the
 * parent class.
 */
class MapWithStateOnLocalClusterTest extends MapWithStateTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("map-with-state");

    @Override
    protected StreamingTestKit kit() {
        return StreamingTestKit.create().context(cluster.context());
    }
}
