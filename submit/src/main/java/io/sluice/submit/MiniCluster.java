package io.sluice.submit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An HDFS ({@link MiniDFSCluster}, one NameNode and one DataNode) and a YARN ({@link MiniYARNCluster}, one
 * ResourceManager and one NodeManager whose containers are real child processes) in this JVM, on free ports, for
 * trying {@code sluice-submit --master yarn} on one machine; what {@code sluice-submit mini-cluster} runs.
 *
 * <pre>{@code
 * try (var mc = MiniCluster.start(new MiniCluster.Settings(workDir, confDir, 4096, 4))) {
 *     mc.confDir();        // core-site.xml + yarn-site.xml naming the ResourceManager and fs.defaultFS
 *     mc.instructions();   // export HADOOP_CONF_DIR=... and an example submission
 * }                        // stops YARN, then HDFS
 * }</pre>
 *
 * <p>Sized for a small machine: the NodeManager offers {@code memoryMb} and {@code vcores} (no physical or virtual
 * memory checks, 128 MiB minimum allocation), fast heartbeats, replication 1, and containers run with this JVM's Java
 * ({@code yarn.nodemanager.admin-env}). State lives under {@code workDir} ({@code dfs/}, {@code yarn/}); the
 * NodeManager's container logs are under {@code workDir/yarn/<name>/}.
 */
public final class MiniCluster implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(MiniCluster.class);
    static final String NAME = "sluice-mini-cluster";

    /**
     * @param workDir  where HDFS and YARN keep their data and logs
     * @param confDir  where the client configuration is written
     * @param memoryMb memory the NodeManager offers to containers
     * @param vcores   virtual cores the NodeManager offers
     */
    public record Settings(Path workDir, Path confDir, int memoryMb, int vcores) {
        public Settings {
            workDir = workDir.toAbsolutePath().normalize();
            confDir = confDir.toAbsolutePath().normalize();
            if (memoryMb < 512) {
                throw new IllegalArgumentException("the NodeManager needs at least 512 MiB, got " + memoryMb);
            }
            if (vcores < 1) {
                throw new IllegalArgumentException("the NodeManager needs at least 1 vcore, got " + vcores);
            }
        }
    }

    private final Settings settings;
    private final MiniDFSCluster dfs;
    private final MiniYARNCluster yarn;
    private final Configuration clientConf;

    private MiniCluster(Settings settings, MiniDFSCluster dfs, MiniYARNCluster yarn, Configuration clientConf) {
        this.settings = settings;
        this.dfs = dfs;
        this.yarn = yarn;
        this.clientConf = clientConf;
    }

    /**
     * Starts HDFS, then YARN, waits until the NodeManager registered, and writes the client configuration.
     *
     * @throws IOException when a cluster does not start or the configuration cannot be written; nothing is left
     *                     running then
     */
    public static MiniCluster start(Settings settings) throws IOException, InterruptedException {
        var conf = new YarnConfiguration();
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, settings.memoryMb());
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_VCORES, settings.vcores());
        conf.setInt(YarnConfiguration.NM_PMEM_MB, settings.memoryMb());
        conf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, settings.memoryMb()); // what MiniYARNCluster applies
        conf.setInt(YarnConfiguration.NM_VCORES, settings.vcores());
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.5f);
        conf.setInt(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 200);
        conf.set(YarnConfiguration.NM_ADMIN_USER_ENV, "JAVA_HOME=" + System.getProperty("java.home"));
        // the shaded minicluster ships no capacity-scheduler.xml: one queue, defined here
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.maximum-am-resource-percent", "0.5");
        conf.setInt("dfs.replication", 1);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, settings.workDir().resolve("dfs").toString());
        // MiniYARNCluster keeps its directories under ${test.build.data}/<name>
        System.setProperty("test.build.data", settings.workDir().resolve("yarn").toString());

        LOG.info("Starting HDFS under {}", settings.workDir().resolve("dfs"));
        var dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        MiniYARNCluster yarn = null;
        try {
            dfs.waitActive();
            conf.set(FileSystem.FS_DEFAULT_NAME_KEY, dfs.getFileSystem().getUri().toString());
            LOG.info("Starting YARN under {}", settings.workDir().resolve("yarn"));
            yarn = new MiniYARNCluster(NAME, 1, 1, 1);
            yarn.init(conf);
            yarn.start();
            var client = new YarnConfiguration(yarn.getConfig());
            // MiniDFSCluster installs a test-only rack mapping that clients and containers do not have
            client.unset("net.topology.node.switch.mapping.impl");
            var cluster = new MiniCluster(settings, dfs, yarn, client);
            cluster.awaitNodeManager(Duration.ofSeconds(60));
            cluster.writeClientConf();
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            // e.g. NoClassDefFoundError for a minicluster dependency: stop what runs, or its threads keep the JVM up
            if (yarn != null) {
                yarn.stop();
            }
            dfs.shutdown();
            throw e;
        }
    }

    private void awaitNodeManager(Duration timeout) throws IOException, InterruptedException {
        var yc = YarnClient.createYarnClient();
        yc.init(clientConf);
        yc.start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                try {
                    if (yc.getYarnClusterMetrics().getNumNodeManagers() >= 1) {
                        return;
                    }
                } catch (Exception e) {
                    LOG.debug("ResourceManager not answering yet: {}", e.toString());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the NodeManager did not register with the ResourceManager within "
                            + timeout.toSeconds() + " s");
                }
                Thread.sleep(100);
            }
        } finally {
            yc.stop();
        }
    }

    /**
     * Writes {@code core-site.xml} ({@code fs.defaultFS}, replication 1) and {@code yarn-site.xml} (every setting
     * that differs from Hadoop's defaults, among them the ResourceManager's addresses) to the conf directory.
     */
    private void writeClientConf() throws IOException {
        Files.createDirectories(settings.confDir());
        var core = new Configuration(false);
        core.set(FileSystem.FS_DEFAULT_NAME_KEY, clientConf.get(FileSystem.FS_DEFAULT_NAME_KEY));
        core.set("dfs.replication", "1");
        write(core, settings.confDir().resolve("core-site.xml"));
        var site = new Configuration(false);
        var defaults = new YarnConfiguration();
        for (Map.Entry<String, String> e : new TreeMap<>(clientConf.getPropsWithPrefix("")).entrySet()) {
            String k = e.getKey();
            String v = clientConf.getRaw(k);
            if (v != null && !v.equals(defaults.getRaw(k)) && !k.equals("test.build.data") && !k.startsWith("dfs.")) {
                site.set(k, v);
            }
        }
        write(site, settings.confDir().resolve("yarn-site.xml"));
    }

    private static void write(Configuration conf, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            conf.writeXml(out);
        }
    }

    /** Where {@code core-site.xml} and {@code yarn-site.xml} are. */
    public Path confDir() {
        return settings.confDir();
    }

    /** The client configuration written to {@link #confDir()} (plus Hadoop's defaults). */
    public Configuration clientConf() {
        return new YarnConfiguration(clientConf);
    }

    /** {@code fs.defaultFS}: the NameNode. */
    public URI fileSystemUri() {
        return URI.create(clientConf.get(FileSystem.FS_DEFAULT_NAME_KEY));
    }

    public String resourceManagerAddress() {
        return clientConf.get(YarnConfiguration.RM_ADDRESS);
    }

    public String resourceManagerWebAddress() {
        return clientConf.get(YarnConfiguration.RM_WEBAPP_ADDRESS);
    }

    /** What to tell the user: where everything is, how to point a shell at it, and an example submission. */
    public List<String> instructions() {
        return List.of(
                "Sluice mini cluster running: HDFS at " + fileSystemUri() + ", YARN ResourceManager at " + resourceManagerAddress()
                        + " (web UI http://" + resourceManagerWebAddress() + "), 1 NodeManager with " + settings.memoryMb()
                        + " MiB and " + settings.vcores() + " vcores; data and container logs under " + settings.workDir(),
                "In another shell:",
                "export HADOOP_CONF_DIR=" + settings.confDir(),
                "bin/sluice-submit --master yarn --deploy-mode cluster --class io.sluice.examples.QueueStreamWordCount "
                        + "--driver-memory 512m --executor-memory 512m --num-executors 1 "
                        + "examples/target/sluice-examples-0.1.0-SNAPSHOT.jar 20",
                "Press Ctrl-C to stop both clusters.");
    }

    /** Stops YARN, then HDFS. Idempotent. */
    @Override
    public synchronized void close() {
        try {
            yarn.stop();
        } finally {
            dfs.shutdown();
        }
        LOG.info("Mini cluster stopped");
    }
}
