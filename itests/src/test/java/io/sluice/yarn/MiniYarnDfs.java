package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * A real HDFS ({@link MiniDFSCluster}, one DataNode) and a real YARN ({@link MiniYARNCluster}, one ResourceManager,
 * one NodeManager whose containers are child processes) on this machine, sized for a 2-core box: 4 GiB and 4 vcores
 * on the NodeManager, 128 MiB minimum allocation, no memory checks, fast NodeManager heartbeats, two AM attempts,
 * container logs kept for inspection. {@link #conf()} is what a client (the submitter) uses: it names the
 * ResourceManager and {@code fs.defaultFS}; the submitter ships it to the containers. Start once per test class.
 */
public final class MiniYarnDfs implements AutoCloseable {
    private final MiniDFSCluster dfs;
    private final MiniYARNCluster yarn;
    private final Configuration conf;
    private final Path baseDir;
    private final String name;

    private MiniYarnDfs(String name, MiniDFSCluster dfs, MiniYARNCluster yarn, Path baseDir) {
        this.name = name;
        this.dfs = dfs;
        this.yarn = yarn;
        this.conf = new YarnConfiguration(yarn.getConfig());
        // MiniDFSCluster installs a test-only rack mapping (hadoop's StaticMapping, in the minicluster jar that
        // containers do not get); a real client configuration has no such entry
        this.conf.unset("net.topology.node.switch.mapping.impl");
        this.baseDir = baseDir;
    }

    public static MiniYarnDfs start(String name) throws IOException, InterruptedException {
        return start(name, 2);
    }

    /** A cluster whose ResourceManager makes at most {@code maxAmAttempts} ApplicationMaster attempts. */
    public static MiniYarnDfs start(String name, int maxAmAttempts) throws IOException, InterruptedException {
        var conf = new YarnConfiguration();
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 4096);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 4096);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.5f);
        conf.setInt(YarnConfiguration.RM_AM_MAX_ATTEMPTS, maxAmAttempts);
        conf.setInt(YarnConfiguration.RM_NM_HEARTBEAT_INTERVAL_MS, 200);
        conf.setLong(YarnConfiguration.DEBUG_NM_DELETE_DELAY_SEC, 600);
        // the shaded minicluster ships no capacity-scheduler.xml: one queue, defined here
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.maximum-am-resource-percent", "0.5");
        conf.setInt("dfs.replication", 1);
        // close a file once its last block is committed, without waiting for the DataNode's block report: otherwise
        // every close on this one-DataNode cluster sleeps 400 ms and more (HDFS's completeFile retries), and the
        // staging of ~100 jars and each batch's output files measure HDFS's test setup rather than Sluice
        conf.setInt("dfs.namenode.file.close.num-committed-allowed", 1);
        Path base = Path.of("target", name).toAbsolutePath();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("dfs").toString());
        var dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();
        conf.set(FileSystem.FS_DEFAULT_NAME_KEY, dfs.getFileSystem().getUri().toString());
        var yarn = new MiniYARNCluster(name, 1, 1, 1);
        try {
            yarn.init(conf);
            yarn.start();
        } catch (RuntimeException e) {
            dfs.shutdown();
            throw e;
        }
        var cluster = new MiniYarnDfs(name, dfs, yarn, base);
        try (var client = cluster.yarnClient()) {
            await(Duration.ofSeconds(60), "the NodeManager to register", () -> {
                try {
                    return client.getYarnClusterMetrics().getNumNodeManagers() >= 1;
                } catch (Exception e) {
                    return false;
                }
            });
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public Configuration conf() {
        return new YarnConfiguration(conf);
    }

    /**
     * {@code conf} set up for a driver in this JVM that runs on this cluster in client deploy mode: master yarn, the
     * application and Sluice jars to ship, and this cluster's ResourceManager and file system as Hadoop settings.
     */
    public SluiceConf clientModeDriver(SluiceConf conf, Path appJar, List<Path> sluiceJars) {
        conf.set(SluiceConf.MASTER.name(), "yarn")
                .set(SluiceConf.DEPLOY_MODE.name(), "client")
                .set(SluiceConf.SUBMIT_APP_JAR.name(), appJar.toString())
                .set(SluiceConf.SUBMIT_SLUICE_JARS.name(),
                        String.join(",", sluiceJars.stream().map(Path::toString).toList()));
        for (var e : conf()) {
            if (e.getKey().startsWith("yarn.resourcemanager.") || e.getKey().equals("fs.defaultFS")) {
                conf.set(SluiceConf.HADOOP_PREFIX + e.getKey(), e.getValue());
            }
        }
        return conf;
    }

    public FileSystem fs() throws IOException {
        return dfs.getFileSystem();
    }

    /** A started YARN client; close it. */
    public YarnClient yarnClient() {
        var c = YarnClient.createYarnClient();
        c.init(conf());
        c.start();
        return c;
    }

    /** The NodeManager's container log directories of {@code appId} ({@code <container id>/{stdout,stderr}}). */
    public List<Path> containerLogDirs(String appId) throws IOException {
        Path root = Path.of("target", "test", "data", name); // where MiniYARNCluster puts its NodeManagers' directories
        try (var s = Files.walk(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("container_") && Files.isDirectory(p)
                    && p.getParent().getFileName().toString().equals(appId)
                    && p.getParent().getParent().getFileName().toString().contains("logDir-nm")).toList();
        }
    }

    /** The pid of a running container's process, from the NodeManager's pid file, if it wrote one yet. */
    java.util.Optional<Long> containerPid(String containerId) throws IOException {
        Path root = Path.of("target", "test", "data", name);
        try (var s = Files.walk(root)) {
            var file = s.filter(p -> p.getFileName().toString().equals(containerId + ".pid")).findFirst();
            if (file.isEmpty()) {
                return java.util.Optional.empty();
            }
            String text = Files.readString(file.get()).trim();
            return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Long.parseLong(text));
        }
    }

    /** Writes {@link #conf()} to {@code <base>/conf/yarn-site.xml}, e.g. for a CLI run. */
    public Path writeConf() throws IOException {
        Path dir = Files.createDirectories(baseDir.resolve("conf"));
        try (OutputStream os = Files.newOutputStream(dir.resolve("yarn-site.xml"))) {
            conf.writeXml(os);
        }
        return dir;
    }

    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        try {
            yarn.stop();
        } finally {
            dfs.shutdown();
        }
    }

    public static File javaHome() {
        return new File(System.getProperty("java.home"));
    }
}
