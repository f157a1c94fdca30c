package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.yarn.app.YarnWordCountApp;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cluster deploy mode on a real YARN and HDFS (one {@link MiniYarnDfs} for the class): a stateful streaming job is
 * submitted with {@link YarnSubmitter} (the code path of {@code sluice-submit --master yarn}), its driver runs in the
 * ApplicationMaster, its executors in YARN containers; the output on HDFS holds the expected counts, the application
 * ends SUCCEEDED and its staging directory is gone. Then the bad inputs that YARN itself judges.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YarnClusterModeTest {
    private static final Logger LOG = LogManager.getLogger(YarnClusterModeTest.class);
    private static MiniYarnDfs cluster;
    private static Path appJar;
    private static List<Path> sluiceJars;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-cluster-mode");
        appJar = YarnApps.packApp("yarn-word-count.jar");
        sluiceJars = YarnApps.sluiceJars();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private YarnSubmitter submitter(List<String> progress) {
        return new YarnSubmitter(cluster.conf(), new SluiceConf(false).set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms"),
                line -> {
                    progress.add(line);
                    LOG.info("submit: {}", line);
                });
    }

    @Test
    void aStatefulStreamingJobRunsWithItsDriverInTheApplicationMasterAndExecutorsInContainers() throws Exception {
        int batches = 4;
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/word-count/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/checkpoints/word-count")).toString();
        var progress = new CopyOnWriteArrayList<String>();
        try (var submitter = submitter(progress)) {
            var appId = submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, checkpoint, Integer.toString(batches)), YarnApps.appConf(), sluiceJars));
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(5));
            if (!end.succeeded()) {
                YarnApps.dumpLogs(cluster, appId.toString());
            }
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
            assertThat(fs.exists(submitter.stagingDir(appId))).as("staging directory removed").isFalse();

            // the last batch's output holds the running totals
            FileStatus[] outputs = fs.globStatus(new org.apache.hadoop.fs.Path(out + "-*"));
            assertThat(outputs).hasSizeGreaterThanOrEqualTo(batches);
            FileStatus last = java.util.Arrays.stream(outputs).max(Comparator.comparing(s -> s.getPath().getName())).orElseThrow();
            assertThat(readCounts(fs, last.getPath())).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "apple", 2 * batches, "banana", batches, "cherry", batches * (batches + 1) / 2));

            // the AM and the two executors ran as YARN containers, and the executors ran ExecutorMain
            List<Path> containers = cluster.containerLogDirs(appId.toString());
            assertThat(containers).as("container log dirs of " + appId).hasSizeGreaterThanOrEqualTo(3);
            String driverLog = awaitLogLine(containers.stream().filter(d -> d.getFileName().toString().endsWith("000001"))
                    .findFirst().orElseThrow().resolve("stderr"), "unregistered as SUCCEEDED");
            assertThat(driverLog).contains("started in container").contains("unregistered as SUCCEEDED");
            long executorsRegistered = containers.stream().filter(d -> !d.getFileName().toString().endsWith("000001"))
                    .filter(d -> {
                        try {
                            return Files.readString(d.resolve("stderr")).contains("registered with the driver");
                        } catch (IOException e) {
                            return false;
                        }
                    }).count();
            assertThat(executorsRegistered).as("executor containers that ran ExecutorMain and registered").isEqualTo(2);
        }
        assertThat(progress).anyMatch(l -> l.contains("RUNNING")).anyMatch(l -> l.contains("FINISHED/SUCCEEDED"));
    }

    @Test
    void aKilledExecutorContainerIsReplacedAndTheJobStillProducesTheExpectedCounts() throws Exception {
        int batches = 12;
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/killed-executor/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/checkpoints/killed-executor")).toString();
        try (var submitter = submitter(new CopyOnWriteArrayList<>())) {
            var appId = submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, checkpoint, Integer.toString(batches)), YarnApps.appConf(), sluiceJars));
            // once two batches are out, kill the first executor's container process (SIGKILL)
            MiniYarnDfs.await(Duration.ofMinutes(3), "two batches of output", () -> {
                try {
                    var done = fs.globStatus(new org.apache.hadoop.fs.Path(out + "-*"));
                    return done != null && done.length >= 2;
                } catch (IOException e) {
                    return false;
                }
            });
            String victim = appId.toString().replace("application_", "container_") + "_01_000002";
            long pid = cluster.containerPid(victim).orElseThrow(() -> new AssertionError("no pid file for " + victim));
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly)).as("killed " + victim).contains(true);
            LOG.info("killed executor container {} (pid {})", victim, pid);

            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(5));
            try {
                assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
                // every batch's output holds the running totals up to it: the kill lost no update and applied none twice
                FileStatus[] outputs = fs.globStatus(new org.apache.hadoop.fs.Path(out + "-[0-9]*"));
                java.util.Arrays.sort(outputs, Comparator.comparing(st -> st.getPath().getName()));
                assertThat(outputs).as("one output per batch").hasSizeGreaterThanOrEqualTo(batches + 1);
                for (int b = 1; b <= outputs.length; b++) {
                    int k = Math.min(b, batches); // later batches have no input: the totals stay
                    assertThat(readCounts(fs, outputs[b - 1].getPath())).as("totals after batch " + b)
                            .containsExactlyInAnyOrderEntriesOf(Map.of("apple", 2 * k, "banana", k, "cherry", k * (k + 1) / 2));
                }
            } catch (AssertionError e) {
                YarnApps.dumpLogs(cluster, appId.toString());
                throw e;
            }
            List<Path> containers = cluster.containerLogDirs(appId.toString());
            assertThat(containers).as("the AM, two executors and a replacement").hasSizeGreaterThanOrEqualTo(4);
            String driverLog = awaitLogLine(containers.stream().filter(d -> d.getFileName().toString().endsWith("000001"))
                    .findFirst().orElseThrow().resolve("stderr"), "unregistered as SUCCEEDED");
            assertThat(driverLog).contains(victim);
        }
    }

    @Test
    void clientModeRunsTheDriverInThisJvmAndItsExecutorsInContainersOfALauncherApplication() throws Exception {
        int batches = 4;
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/client-mode/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/checkpoints/client-mode")).toString();
        SluiceConf conf = cluster.clientModeDriver(YarnApps.appConf(), appJar, sluiceJars);
        List<String> before;
        try (var client = cluster.yarnClient()) {
            before = client.getApplications().stream().map(r -> r.getApplicationId().toString()).toList();
        }
        YarnWordCountApp.run(conf, new String[] {out, checkpoint, Integer.toString(batches)});

        FileStatus last = java.util.Arrays.stream(fs.globStatus(new org.apache.hadoop.fs.Path(out + "-*")))
                .max(Comparator.comparing(st -> st.getPath().getName())).orElseThrow();
        assertThat(readCounts(fs, last.getPath())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "apple", 2 * batches, "banana", batches, "cherry", batches * (batches + 1) / 2));
        try (var client = cluster.yarnClient()) {
            var launcher = client.getApplications().stream().filter(r -> !before.contains(r.getApplicationId().toString()))
                    .findFirst().orElseThrow(() -> new AssertionError("no launcher application was submitted"));
            assertThat(launcher.getFinalApplicationStatus()).as(launcher.getDiagnostics()).isEqualTo(FinalApplicationStatus.SUCCEEDED);
            List<Path> containers = cluster.containerLogDirs(launcher.getApplicationId().toString());
            assertThat(containers).as("the launcher and two executors").hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aDriverThatFailsOnItsFirstAttemptIsRunAgainByYarnOnTheSecond() throws Exception {
        int batches = 3;
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/retried/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/checkpoints/retried")).toString();
        try (var submitter = submitter(new CopyOnWriteArrayList<>()); var client = cluster.yarnClient()) {
            var appId = submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, checkpoint, Integer.toString(batches), "1"), YarnApps.appConf(), sluiceJars));
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(5));
            if (!end.succeeded()) {
                YarnApps.dumpLogs(cluster, appId.toString());
            }
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
            assertThat(client.getApplicationAttempts(org.apache.hadoop.yarn.api.records.ApplicationId.fromString(appId))).hasSize(2);
            List<Path> containers = cluster.containerLogDirs(appId.toString());
            String attempt1 = Files.readString(containers.stream().filter(d -> d.getFileName().toString().endsWith("_01_000001"))
                    .findFirst().orElseThrow().resolve("stderr"));
            assertThat(attempt1).contains("planned failure of the driver on attempt 1")
                    .contains("exiting without unregistering so YARN starts attempt 2");
            String attempt2 = awaitLogLine(containers.stream()
                    .filter(d -> d.getFileName().toString().endsWith("_02_000001"))
                    .findFirst().orElseThrow().resolve("stderr"), "unregistered as SUCCEEDED");
            assertThat(attempt2).contains(appId + "-exec-2-1").contains("unregistered as SUCCEEDED");
            // attempt 2 runs the job from its start (recovery through getOrCreate is not wired in yet)
            FileStatus last = java.util.Arrays.stream(fs.globStatus(new org.apache.hadoop.fs.Path(out + "-*")))
                    .max(Comparator.comparing(st -> st.getPath().getName())).orElseThrow();
            assertThat(readCounts(fs, last.getPath())).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "apple", 2 * batches, "banana", batches, "cherry", batches * (batches + 1) / 2));
            assertThat(fs.exists(submitter.stagingDir(appId))).isFalse();
        }
    }

    @Test
    void aDriverThatFailsOnEveryAttemptEndsFailedWithItsErrorAsDiagnostics() throws Exception {
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/failing/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/checkpoints/failing")).toString();
        try (var submitter = submitter(new CopyOnWriteArrayList<>())) {
            var appId = submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, checkpoint, "2", "99"), YarnApps.appConf(), sluiceJars));
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(5));
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.FAILED);
            assertThat(end.diagnostics()).contains("the driver failed on attempt 2")
                    .contains("planned failure of the driver on attempt 2");
            assertThat(fs.exists(submitter.stagingDir(appId))).isFalse();
        }
    }

    @Test
    void aMainClassThatDoesNotExistFailsTheApplicationWithThatDiagnostic() throws Exception {
        try (var submitter = submitter(new ArrayList<>())) {
            var appId = submitter.submit(new SubmitRequest(appJar, "com.example.NoSuchMain", List.of(), YarnApps.appConf(), sluiceJars));
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(3));
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.FAILED);
            assertThat(end.diagnostics()).contains("Main class com.example.NoSuchMain was not found");
            assertThat(cluster.fs().exists(submitter.stagingDir(appId))).isFalse();
        }
    }

    @Test
    void aMissingJarAnUnknownQueueAndOversizedContainersAreRefusedBeforeAnythingIsStaged() throws Exception {
        try (var submitter = submitter(new ArrayList<>())) {
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(Path.of("target/nope.jar"), "x.Main", List.of(),
                    YarnApps.appConf(), sluiceJars)))
                    .isInstanceOf(SubmitException.class).hasMessageContaining("nope.jar does not exist");
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(appJar, "x.Main", List.of(),
                    YarnApps.appConf().set(YarnConf.QUEUE.name(), "nightly"), sluiceJars)))
                    .isInstanceOf(SubmitException.class)
                    .hasMessage("Queue 'nightly' does not exist on the ResourceManager (sluice.yarn.queue/--queue); known queues: [default]");
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(appJar, "x.Main", List.of(),
                    YarnApps.appConf().set(SluiceConf.EXECUTOR_MEMORY_MB.name(), "8192"), sluiceJars)))
                    .isInstanceOf(SubmitException.class)
                    .hasMessageContaining("each executor needs 8384 MiB (sluice.executor.memory=8192 + sluice.executor.memoryOverhead=192)")
                    .hasMessageContaining("maximum allocation of 4096 MiB");
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(appJar, "x.Main", List.of(),
                    YarnApps.appConf().set(SluiceConf.DRIVER_CORES.name(), "64"), sluiceJars)))
                    .isInstanceOf(SubmitException.class)
                    .hasMessageContaining("the ApplicationMaster (the driver) needs 64 vcores");
        }
    }

    @Test
    void anUnreachableFileSystemIsReportedBeforeAnythingIsSubmitted() throws Exception {
        var conf = cluster.conf();
        conf.set("fs.defaultFS", "hdfs://127.0.0.1:1");
        List<String> before;
        try (var client = cluster.yarnClient()) {
            before = client.getApplications().stream().map(r -> r.getApplicationId().toString()).toList();
        }
        try (var submitter = new YarnSubmitter(conf, new SluiceConf(false), line -> LOG.info("submit: {}", line))) {
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(), YarnApps.appConf(), sluiceJars)))
                    .isInstanceOf(SubmitException.class)
                    .hasMessageStartingWith("Cannot stage application application_")
                    .hasMessageContaining("on hdfs://127.0.0.1:1")
                    .hasMessageContaining("Connection refused");
        }
        try (var client = cluster.yarnClient()) {
            assertThat(client.getApplications().stream().map(r -> r.getApplicationId().toString()).toList())
                    .as("no application was submitted").isEqualTo(before);
        }
    }

    @Test
    void anApplicationMasterThatCannotRegisterFailsTheApplicationWithThatDiagnostic() throws Exception {
        // the AM's ResourceManager scheduler address is wrong: submission works, registration cannot
        SluiceConf conf = YarnApps.appConf()
                .set(YarnConf.MAX_APP_ATTEMPTS.name(), "1")
                .set(SluiceConf.HADOOP_PREFIX + "yarn.resourcemanager.scheduler.address", "127.0.0.1:1")
                .set(YarnConf.RM_CONNECT_TIMEOUT.name(), "5s")
                .set(SluiceConf.HADOOP_PREFIX + "yarn.resourcemanager.connect.max-wait.ms", "5000");
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/no-register/counts")).toString();
        try (var submitter = submitter(new CopyOnWriteArrayList<>())) {
            var appId = submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, "/checkpoints/no-register", "2"), conf, sluiceJars));
            ApplicationStatus end = submitter.awaitCompletion(appId, Duration.ofMinutes(3));
            try {
                assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.FAILED);
                assertThat(end.diagnostics()).contains("the ApplicationMaster could not register with the ResourceManager at "
                        + "127.0.0.1:1 (sluice.yarn.rm.connectTimeout = 5000 ms)");
                assertThat(fs.globStatus(new org.apache.hadoop.fs.Path(out + "-*"))).as("no batch ran").isEmpty();
            } catch (AssertionError e) {
                YarnApps.dumpLogs(cluster, appId.toString());
                throw e;
            }
        }
    }

    private static Map<String, Integer> readCounts(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        var counts = new TreeMap<String, Integer>();
        for (FileStatus part : fs.listStatus(dir, p -> p.getName().startsWith("part-"))) {
            try (var in = fs.open(part.getPath())) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        String[] kv = line.split("\t");
                        counts.put(kv[0], Integer.parseInt(kv[1].trim()));
                    }
                }
            }
        }
        return counts;
    }

    /**
     * The content of a container log once it holds {@code line} (at most 30 s): YARN reports an application's end as
     * soon as its AM unregistered, and the AM logs that just after.
     */
    private static String awaitLogLine(Path log, String line) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        String content = Files.readString(log);
        while (!content.contains(line) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            content = Files.readString(log);
        }
        return content;
    }
}
