package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import org.junit.jupiter.api.Test;

/** The initial executor count of a cluster master whose URL does not say (yarn, k8s, mesos). */
class ClusterManagerFactoryTest {
    private final ClusterManagerFactory factory = new ClusterManagerFactory() {
        @Override
        public boolean supports(String masterUrl) {
            return true;
        }

        @Override
        public ClusterBackend create(SluiceConf conf) {
            throw new UnsupportedOperationException();
        }
    };

    private static SluiceConf dynamic() {
        return new SluiceConf(false).set(SluiceConf.DYN_ALLOC_ENABLED.name(), "true");
    }

    @Test
    void withoutDynamicAllocationItIsTheInstancesOrTheirDefault() {
        assertThat(factory.initialExecutors(new SluiceConf(false))).isEqualTo(2);
        assertThat(factory.initialExecutors(new SluiceConf(false).set(SluiceConf.EXECUTOR_INSTANCES.name(), "5"))).isEqualTo(5);
    }

    @Test
    void withDynamicAllocationTheDefaultInstancesGiveWayToTheInitialCountOrTheMinimum() {
        assertThat(factory.initialExecutors(dynamic())).as("minimum 0: still one").isEqualTo(1);
        assertThat(factory.initialExecutors(dynamic().set(SluiceConf.DYN_ALLOC_MIN.name(), "3"))).isEqualTo(3);
        assertThat(factory.initialExecutors(dynamic().set(SluiceConf.DYN_ALLOC_MIN.name(), "3")
                .set(SluiceConf.DYN_ALLOC_INITIAL.name(), "4"))).isEqualTo(4);
        assertThat(factory.initialExecutors(dynamic().set(SluiceConf.DYN_ALLOC_MIN.name(), "3")
                .set(SluiceConf.EXECUTOR_INSTANCES.name(), "2"))).as("set explicitly: it counts (and is checked)").isEqualTo(2);
    }
}
