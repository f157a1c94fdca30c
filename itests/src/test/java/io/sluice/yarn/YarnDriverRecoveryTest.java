package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.itests.BatchOutputs;
import io.sluice.testkit.ReplayingNumberServer;
import io.sluice.yarn.app.YarnRecoverableCountingApp;
import io.sluice.yarn.app.YarnWordCountApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Driver restart on YARN (cluster deploy mode, one {@link MiniYarnDfs} for the class): the ApplicationMaster
 * container, which runs the driver, is SIGKILLed mid-run; YARN starts attempt 2, whose driver recovers from the
 * checkpoint and write-ahead log on HDFS through {@code getOrCreate}, and the job's output over both attempts equals
 * an uninterrupted run's. Then attempt failures that fall out of {@code sluice.yarn.am.attemptFailuresValidityInterval}
 * do not count.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YarnDriverRecoveryTest {
    private static final Logger LOG = LogManager.getLogger(YarnDriverRecoveryTest.class);
    private static final long TOTAL = 3_000;
    private static MiniYarnDfs cluster;
    private static Path appJar;
    private static List<Path> sluiceJars;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-driver-recovery");
        appJar = YarnApps.packApp("yarn-recovery-apps.jar");
        sluiceJars = YarnApps.sluiceJars();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private YarnSubmitter submitter() {
        return new YarnSubmitter(cluster.conf(), new SluiceConf(false).set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms"),
                line -> LOG.info("submit: {}", line));
    }

    @Test
    void aKilledApplicationMasterIsRestartedByYarnAndItsDriverContinuesFromTheCheckpointLosingNothing() throws Exception {
        FileSystem fs = cluster.fs();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/recovery/checkpoint")).toString();
        String output = fs.makeQualified(new org.apache.hadoop.fs.Path("/recovery/output")).toString();
        try (var source = new ReplayingNumberServer(TOTAL, 10, Duration.ofMillis(40)); var submitter = submitter();
             var client = cluster.yarnClient()) {
            long submitted = System.nanoTime();
            ApplicationId appId = ApplicationId.fromString(submitter.submit(new SubmitRequest(appJar, YarnRecoverableCountingApp.class.getName(),
                    List.of(checkpoint, output, source.host(), Integer.toString(source.port())),
                    YarnApps.appConf().set(SluiceConf.EXECUTOR_CORES.name(), "2"), sluiceJars))); // one for the receiver
            long accepted = System.nanoTime();
            try {
                MiniYarnDfs.await(Duration.ofMinutes(3), "the first completed batch", () -> latestCheckpoint(fs, checkpoint) > 0);
                long firstBatchMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - submitted);
                long stagingMillis = TimeUnit.NANOSECONDS.toMillis(accepted - submitted);
                // let attempt 1 count part of the input, with its state saved at least once, then kill the AM
                assertThat(source.awaitAcked(TOTAL / 3, Duration.ofMinutes(2))).as("attempt 1 received a third").isTrue();
                MiniYarnDfs.await(Duration.ofMinutes(1), "a saved version of the state", () -> savedStates(fs, checkpoint) > 0);
                String am = containerId(appId, 1, 1);
                List<Long> executorPids = attemptContainerPids(appId, 1);
                assertThat(executorPids).as("attempt 1's executor processes").isNotEmpty();
                long amPid = cluster.containerPid(am).orElseThrow(() -> new AssertionError("no pid file for " + am));
                long checkpointedAtKill = latestCheckpoint(fs, checkpoint);
                // the container's whole process tree, as a crashed node would lose it (no shutdown hook runs)
                var amProcess = ProcessHandle.of(amPid).orElseThrow(() -> new AssertionError(am + " is not running"));
                amProcess.descendants().forEach(ProcessHandle::destroyForcibly);
                assertThat(amProcess.destroyForcibly()).as("killed " + am).isTrue();
                long killed = System.nanoTime();
                LOG.info("killed the ApplicationMaster {} (pid {}) after batch {}", am, amPid, checkpointedAtKill);

                MiniYarnDfs.await(Duration.ofMinutes(3), "a batch completed by attempt 2",
                        () -> latestCheckpoint(fs, checkpoint) > checkpointedAtKill);
                long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                LOG.info("YARN timings: submission to the first completed batch {} ms (staging {} ms); AM kill to "
                        + "attempt 2's first completed batch {} ms", firstBatchMillis, stagingMillis, recoveryMillis);
                Files.writeString(Files.createDirectories(Path.of("target")).resolve("yarn-recovery-timings.txt"),
                        "submission_to_first_batch_ms=" + firstBatchMillis + "\nstaging_ms=" + stagingMillis
                                + "\nam_kill_to_first_batch_of_attempt_2_ms=" + recoveryMillis + "\n");
                // attempt 1's executors were stopped with it: nothing leaked
                MiniYarnDfs.await(Duration.ofMinutes(1), "attempt 1's executors to exit", () -> executorPids.stream()
                        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));

                assertThat(source.awaitAcked(TOTAL, Duration.ofMinutes(3))).as("everything was sent").isTrue();
                // a number is in two batches' outputs only if the source sent it twice (stored, but the
                // acknowledgement died with the attempt: at-least-once at the receiver's boundary); the states count
                // exactly what the outputs hold
                MiniYarnDfs.await(Duration.ofMinutes(2), "every number in an output and the final counts", () -> {
                    var numbers = numbersAsSent(fs, output, source);
                    var expected = BatchOutputs.perKey(numbers);
                    return numbers.size() == TOTAL && expected.equals(lastCounts(fs, output, "totals"))
                            && expected.equals(lastCounts(fs, output, "seen"));
                });

                fs.create(new org.apache.hadoop.fs.Path(output, YarnRecoverableCountingApp.STOP_MARKER)).close();
                ApplicationStatus end = submitter.awaitCompletion(appId.toString(), Duration.ofMinutes(2));
                assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
                assertThat(client.getApplicationAttempts(appId)).as("attempts").hasSize(2);
                String attempt2 = Files.readString(cluster.containerLogDirs(appId.toString()).stream()
                        .filter(d -> d.getFileName().toString().equals(containerId(appId, 2, 1)))
                        .findFirst().orElseThrow().resolve("stderr"));
                assertThat(attempt2).contains("Recovering from the checkpoint of batch").contains("recovering: true");
                assertThat(source.receiverPids()).as("receivers of both attempts").hasSizeGreaterThanOrEqualTo(2);
            } catch (AssertionError | RuntimeException e) {
                YarnApps.dumpLogs(cluster, appId.toString());
                throw e;
            }
        }
    }

    @Test
    void failuresOlderThanTheValidityIntervalDoNotCountTowardsTheMaximumAttempts() throws Exception {
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/validity/counts")).toString();
        String checkpoint = fs.makeQualified(new org.apache.hadoop.fs.Path("/validity/checkpoint")).toString();
        // the driver fails on attempts 1 and 2, each after its first batch: more than 3 s apart, so with at most two
        // attempts in any 3 s YARN still starts a third, which runs to the end
        SluiceConf conf = YarnApps.appConf()
                .set(YarnConf.MAX_APP_ATTEMPTS.name(), "2")
                .set(YarnConf.ATTEMPT_FAILURES_VALIDITY.name(), "3s");
        try (var submitter = submitter(); var client = cluster.yarnClient()) {
            ApplicationId appId = ApplicationId.fromString(submitter.submit(new SubmitRequest(appJar, YarnWordCountApp.class.getName(),
                    List.of(out, checkpoint, "3", "2"), conf, sluiceJars)));
            ApplicationStatus end = submitter.awaitCompletion(appId.toString(), Duration.ofMinutes(5));
            try {
                assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
                assertThat(client.getApplicationAttempts(appId)).as("attempts").hasSize(3);
                String attempt2 = Files.readString(cluster.containerLogDirs(appId.toString()).stream()
                        .filter(d -> d.getFileName().toString().equals(containerId(appId, 2, 1)))
                        .findFirst().orElseThrow().resolve("stderr"));
                assertThat(attempt2).contains("planned failure of the driver on attempt 2")
                        .contains("exiting without unregistering so YARN starts attempt 3");
            } catch (AssertionError | RuntimeException e) {
                YarnApps.dumpLogs(cluster, appId.toString());
                throw e;
            }
        }
    }

    private static String containerId(ApplicationId appId, int attempt, int n) {
        return String.format("%s_%02d_%06d", appId.toString().replace("application_", "container_"), attempt, n);
    }

    /** The pids of the running executor containers (all but the AM) of {@code attempt}. */
    private static List<Long> attemptContainerPids(ApplicationId appId, int attempt) throws IOException {
        var pids = new ArrayList<Long>();
        for (int n = 2; n < 10; n++) {
            cluster.containerPid(containerId(appId, attempt, n)).ifPresent(pids::add);
        }
        return pids;
    }

    /** How many versions of the state of "totals" were saved (committed) so far. */
    private static int savedStates(FileSystem fs, String checkpointDir) {
        try {
            var dir = new org.apache.hadoop.fs.Path(checkpointDir, "state/totals");
            if (!fs.exists(dir)) {
                return 0;
            }
            int n = 0;
            for (FileStatus v : fs.listStatus(dir)) {
                if (fs.exists(new org.apache.hadoop.fs.Path(v.getPath(), "_COMMITTED"))) {
                    n++;
                }
            }
            return n;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The batch time of the newest metadata checkpoint, or -1 (also while HDFS cannot be read). */
    private static long latestCheckpoint(FileSystem fs, String checkpointDir) {
        try {
            return BatchOutputs.latestCheckpoint(fs, checkpointDir);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Map<Long, Integer> numbersAsSent(FileSystem fs, String dir, ReplayingNumberServer source) {
        try {
            return BatchOutputs.numbersAtMostAsOftenAsSent(fs, dir, "numbers", source.sent());
        } catch (IOException e) {
            return Map.of(); // read again on the next poll
        }
    }

    private static Map<String, String> lastCounts(FileSystem fs, String dir, String name) {
        try {
            return BatchOutputs.lastCounts(fs, dir, name);
        } catch (IOException e) {
            return Map.of();
        }
    }
}
