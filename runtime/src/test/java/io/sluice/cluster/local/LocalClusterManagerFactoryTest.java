package io.sluice.cluster.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.cluster.ClusterManagers;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.conf.SluiceConf;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalClusterManagerFactoryTest {
    private final ClassLoader loader = getClass().getClassLoader();

    @Test
    void serviceLoaderFindsTheLocalClusterFactoryOnlyForItsUrls() {
        var factory = ClusterManagers.forMaster("local-cluster[2,1,512]", loader);
        assertThat(factory).get().isInstanceOf(LocalClusterManagerFactory.class);
        assertThat(ClusterManagers.forMaster("yarn", loader)).isEmpty();
        assertThat(ClusterManagers.forMaster("local[2]", loader)).isEmpty();
    }

    @Test
    void createdBackendHasTheUrlsShape() {
        var conf = new SluiceConf(false).setMaster("local-cluster[2,1,512]").set(SluiceConf.APP_ID, "app-9");
        var backend = (LocalClusterBackend) ClusterManagers.forMaster(conf.get(SluiceConf.MASTER), loader).orElseThrow().create(conf);
        assertThat(backend.url()).isEqualTo(new LocalClusterUrl(2, 1, 512));
        assertThat(backend.workDir().toString()).endsWith("sluice-local-cluster/app-9");
        backend.stop(); // never started: nothing to stop, and no failure
    }

    @Test
    void executorSpecComesFromTheUrlOrTheExecutorKeys() {
        var conf = new SluiceConf(false).setMaster("local-cluster[2,3,512]").set(SluiceConf.EXECUTOR_CORES, 8);
        assertThat(ExecutorSpec.fromConf(conf)).isEqualTo(new ExecutorSpec(3, 512, Map.of()));
        conf.setMaster("yarn").set(SluiceConf.EXECUTOR_MEMORY_MB, 2048);
        assertThat(ExecutorSpec.fromConf(conf)).isEqualTo(new ExecutorSpec(8, 2048, Map.of()));
    }

    @Test
    void parsesWellFormedUrls() {
        assertThat(LocalClusterUrl.parse("local-cluster[2,1,512]")).isEqualTo(new LocalClusterUrl(2, 1, 512));
        assertThat(LocalClusterUrl.parse(" local-cluster[ 3 , 2 , 1024 ] ")).isEqualTo(new LocalClusterUrl(3, 2, 1024));
        assertThat(new LocalClusterUrl(2, 1, 512)).hasToString("local-cluster[2,1,512]");
    }

    @Test
    void malformedUrlsListTheAcceptedForms() {
        for (String bad : List.of("local-cluster", "local-cluster[2,1]", "local-cluster[2,1,512", "local-cluster[a,1,512]",
                "local-cluster[2,1,512,4]", "local-cluster(2,1,512)")) {
            var conf = new SluiceConf(false).setMaster(bad).set(SluiceConf.APP_ID, "app-9");
            var factory = ClusterManagers.forMaster(bad, loader);
            assertThat(factory).as(bad).isPresent();
            assertThatThrownBy(() -> factory.get().create(conf)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("expected local-cluster[E,C,M]")
                    .hasMessageContaining("local[N]").hasMessageContaining("yarn").hasMessageContaining("k8s://")
                    .hasMessageContaining("mesos://");
        }
        assertThatThrownBy(() -> LocalClusterUrl.parse("local-cluster[0,1,512]")).hasMessageContaining("at least 1 executor");
        assertThatThrownBy(() -> LocalClusterUrl.parse("local-cluster[2,1,32]")).hasMessageContaining("64 MiB");
        assertThatThrownBy(() -> LocalClusterUrl.parse("local-cluster[99999999999,1,512]")).hasMessageContaining("too large");
    }

    @Test
    void theBackendNeedsAnAppId() {
        var conf = new SluiceConf(false).setMaster("local-cluster[1,1,128]");
        assertThatThrownBy(() -> new LocalClusterManagerFactory().create(conf)).hasMessageContaining("sluice.app.id");
    }
}
