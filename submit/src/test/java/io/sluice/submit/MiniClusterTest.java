package io.sluice.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice-submit mini-cluster}'s cluster on free ports: the configuration it writes is all a client needs to
 * reach its ResourceManager (one NodeManager) and its HDFS.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MiniClusterTest {

    @Test
    void theWrittenConfigurationNamesAReachableResourceManagerAndHdfs(@TempDir Path tmp) throws Exception {
        Path confDir = tmp.resolve("conf");
        try (var cluster = MiniCluster.start(new MiniCluster.Settings(Path.of("target", "mini-cluster-test"), confDir, 1024, 2))) {
            assertThat(cluster.instructions()).contains("export HADOOP_CONF_DIR=" + confDir.toAbsolutePath())
                    .anyMatch(l -> l.startsWith("bin/sluice-submit --master yarn "));

            // only what the files say, as sluice-submit reads them from HADOOP_CONF_DIR
            Configuration conf = io.sluice.conf.HadoopConfigurations.fromEnvironment(
                    java.util.Map.of("HADOOP_CONF_DIR", confDir.toString()), new io.sluice.conf.SluiceConf(false));
            assertThat(conf.get("fs.defaultFS")).isEqualTo(cluster.fileSystemUri().toString()).startsWith("hdfs://");
            assertThat(conf.get(YarnConfiguration.RM_ADDRESS)).isEqualTo(cluster.resourceManagerAddress())
                    .isNotEqualTo(YarnConfiguration.DEFAULT_RM_ADDRESS);

            var yarn = YarnClient.createYarnClient();
            yarn.init(conf);
            yarn.start();
            try {
                assertThat(yarn.getYarnClusterMetrics().getNumNodeManagers()).isEqualTo(1);
                assertThat(yarn.getNodeReports().get(0).getCapability().getMemorySize()).isEqualTo(1024);
            } finally {
                yarn.stop();
            }

            var file = new org.apache.hadoop.fs.Path("/tmp/hello.txt");
            try (FileSystem fs = FileSystem.newInstance(conf)) {
                try (var out = fs.create(file)) {
                    out.write("hello".getBytes(StandardCharsets.UTF_8));
                }
                try (var in = fs.open(file)) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
                }
            }
        }
    }
}
