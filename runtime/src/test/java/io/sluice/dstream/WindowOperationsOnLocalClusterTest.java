package io.sluice.dstream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link WindowOperationsTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]},
 * the state of windowed reductions with an inverse function in the executors. The tests come from the parent class.
 */
class WindowOperationsOnLocalClusterTest extends WindowOperationsTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("window-operations");

    @Override
    protected StreamingTestKit kit() {
        return StreamingTestKit.create().context(cluster.context());
    }
}
