package io.sluice.itests.recovery;

import static io.sluice.itests.BatchOutputs.perKey;
import static io.sluice.itests.BatchOutputs.resent;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.itests.BatchOutputs;
import io.sluice.serde.KryoSerializer;
import io.sluice.testkit.ReplayingNumberServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's acceptance: a driver process running a receiver-fed, stateful (updateStateByKey, mapWithState) and
 * windowed job on {@code local-cluster[2,2,512]}, with its checkpoint and write-ahead logs on HDFS
 * ({@link MiniDFSCluster}), is killed with SIGKILL (with its executors, as a failed node takes them) at random points,
 * several times, and started again each time; the job continues through {@code getOrCreate}. The source counts what
 * it sent and replays what was not acknowledged. At the end every number appears in exactly one batch's output, and
 * the final state of every counter equals the count of numbers sent per key: nothing lost, nothing applied twice.
 */
class DriverKillRecoveryTest {
    private static final long TOTAL = 3_000;
    private static MiniDFSCluster hdfs;
    private static FileSystem fs;

    /** Driver and executor logs, kept under target/ for a look after a failure. */
    private final Path work = Path.of("target", "driver-kill-recovery").toAbsolutePath();

    @org.junit.jupiter.api.BeforeEach
    void cleanWorkDir() throws IOException {
        if (Files.exists(work)) {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(work);
    }

    @BeforeAll
    static void startHdfs() throws IOException {
        var conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-recovery").getAbsolutePath());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private Process startDriver(String checkpoint, String output, ReplayingNumberServer source, int run)
            throws IOException {
        return startDriver(checkpoint, output, source, run, true);
    }

    private Process startDriver(String checkpoint, String output, ReplayingNumberServer source, int run, boolean wal,
                                String... jvmOptions) throws IOException {
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(Arrays.asList(KryoSerializer.REQUIRED_JVM_OPTIONS.split(" ")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(RecoverableCountingApp.class.getName());
        cmd.addAll(List.of(checkpoint, output, source.host(), Integer.toString(source.port()),
                "local-cluster[2,2,512]", Boolean.toString(wal), work.resolve("executors-" + run).toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("driver-" + run + ".log").toFile()).start();
    }

    /** SIGKILLs the driver and the executor processes it started. */
    private static void killWithExecutors(Process driver) throws Exception {
        List<ProcessHandle> executors = driver.descendants().toList();
        driver.destroyForcibly();
        executors.forEach(ProcessHandle::destroyForcibly);
        assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        for (ProcessHandle e : executors) {
            e.onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /** The batch time of the newest metadata checkpoint, or -1. */
    private static long latestCheckpoint(String checkpointDir) throws IOException {
        return BatchOutputs.latestCheckpoint(fs, checkpointDir);
    }

    private static FileSystem fsOf(String dir) throws IOException {
        return new org.apache.hadoop.fs.Path(dir).getFileSystem(hdfs.getConfiguration(0));
    }

    private static Map<String, String> lastCounts(String dir, String name) throws IOException {
        return BatchOutputs.lastCounts(fsOf(dir), dir, name);
    }

    /** Each number in the outputs with its batch; fails if one is in two batches' outputs. */
    private static Map<Long, Long> numbersOnce(String dir) throws IOException {
        return BatchOutputs.numbersOnce(fsOf(dir), dir, "numbers");
    }

    /** The lines of every batch's output of {@code name}, by batch time. */
    private static java.util.TreeMap<Long, List<String>> outputs(String dir, String name) throws IOException {
        return BatchOutputs.read(fsOf(dir), dir, name);
    }

    @Test
    void killingTheDriverRepeatedlyLosesNothingAndAppliesNoUpdateTwice() throws Exception {
        String checkpoint = hdfs.getURI() + "/recovery/checkpoint";
        String output = hdfs.getURI() + "/recovery/output";
        var random = new Random(42);
        try (var source = new ReplayingNumberServer(TOTAL, 20, Duration.ofMillis(30))) {
            int run = 0;
            for (; run < 3; run++) {
                long checkpointed = latestCheckpoint(checkpoint);
                var receivers = source.receiverPids();
                Process driver = startDriver(checkpoint, output, source, run);
                // let its receiver connect and its checkpoint move on, then kill it at a random point
                assertThat(source.awaitNewReceiverPid(receivers, Duration.ofSeconds(120)))
                        .as("run %d's receiver connected (log: %s)", run, work.resolve("driver-" + run + ".log"))
                        .isPositive();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (latestCheckpoint(checkpoint) <= checkpointed && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(latestCheckpoint(checkpoint)).as("run %d completed batches (log: %s)", run,
                        work.resolve("driver-" + run + ".log")).isGreaterThan(checkpointed);
                Thread.sleep(random.nextInt(2000));
                killWithExecutors(driver);
            }
            Process last = startDriver(checkpoint, output, source, run);
            try {
                assertThat(source.awaitAcked(TOTAL, Duration.ofSeconds(180))).as("everything was sent").isTrue();
                // Every number is in some batch's output, and in more than one only if the source sent it again
                // (stored, but the acknowledgement died with the driver: at-least-once at the receiver's boundary).
                // The state counts exactly what the outputs hold: no batch's update is applied twice.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                var numbers = numbersAsSent(output, source);
                while ((numbers.size() < TOTAL || !lastCounts(output, "totals").equals(perKey(numbers))
                        || !lastCounts(output, "seen").equals(perKey(numbers))) && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    numbers = numbersAsSent(output, source);
                }
                var expected = perKey(numbers);
                for (long n = 0; n < TOTAL; n++) {
                    assertThat(numbers).as("number %d is in a batch's output", n).containsKey(n);
                }
                assertThat(lastCounts(output, "totals")).as("updateStateByKey's final state (the numbers in the "
                        + "outputs per key; sent twice: %s)", resent(numbers)).isEqualTo(expected);
                assertThat(lastCounts(output, "seen")).as("mapWithState's final state").isEqualTo(expected);
                // the window (6 s) drains to zero for every key once the source is done: the inverse function took
                // out exactly what went in, across the restarts
                while (!lastCounts(output, "window").values().stream().allMatch("0"::equals)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
                assertThat(lastCounts(output, "window")).as("the window drained").hasSize(10)
                        .allSatisfy((k, v) -> assertThat(v).isEqualTo("0"));
            } finally {
                killWithExecutors(last);
            }
            assertThat(source.receiverPids()).as("receivers of four driver runs").hasSizeGreaterThanOrEqualTo(4);
        }
    }

    private static Map<Long, Integer> numbersAsSent(String dir, ReplayingNumberServer source) throws IOException {
        return BatchOutputs.numbersAtMostAsOftenAsSent(fsOf(dir), dir, "numbers", source.sent());
    }

    /** Kills the driver {@code kills} times, each after it completed a batch, at a random point; returns the run count. */
    private int killRepeatedly(String checkpoint, String output, ReplayingNumberServer source, int kills, boolean wal,
                               Random random) throws Exception {
        for (int run = 0; run < kills; run++) {
            long checkpointed = latestCheckpoint(checkpoint);
            Process driver = startDriver(checkpoint, output, source, run, wal);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (latestCheckpoint(checkpoint) <= checkpointed && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(latestCheckpoint(checkpoint)).as("run %d completed batches", run).isGreaterThan(checkpointed);
            Thread.sleep(random.nextInt(2000));
            killWithExecutors(driver);
        }
        return kills;
    }

    @Test
    void withoutTheReceivedDataLogKillsLoseWhatWasReceivedButNotProcessedAndNothingIsCountedTwice() throws Exception {
        String checkpoint = hdfs.getURI() + "/no-wal/checkpoint";
        String output = hdfs.getURI() + "/no-wal/output";
        try (var source = new ReplayingNumberServer(TOTAL, 20, Duration.ofMillis(30))) {
            int run = killRepeatedly(checkpoint, output, source, 2, false, new Random(7));
            Process last = startDriver(checkpoint, output, source, run, false);
            try {
                assertThat(source.awaitAcked(TOTAL, Duration.ofSeconds(180))).as("everything was sent").isTrue();
                // quiet: the window (6 s) of every key drained, so every batch since the source ended is processed
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while ((lastCounts(output, "window").isEmpty()
                        || !lastCounts(output, "window").values().stream().allMatch("0"::equals))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
            } finally {
                killWithExecutors(last);
            }
            var seen = numbersAsSent(output, source);
            long inOutputs = seen.values().stream().mapToLong(Integer::longValue).sum();
            long totals = lastCounts(output, "totals").values().stream().mapToLong(Long::parseLong).sum();
            // The weaker guarantee: numbers the receiver had stored (and so acknowledged) but no batch had processed
            // when a driver died were only in its executors' memory — lost; and the state loses the updates of the
            // batches between its last saved version and the crash, whose inputs are gone. Nothing the source sent
            // once is counted twice.
            assertThat(totals).as("the final state counts at most what the outputs show").isLessThanOrEqualTo(inOutputs);
            org.apache.logging.log4j.LogManager.getLogger(DriverKillRecoveryTest.class).info(
                    "Without the received-data log: {} of {} numbers reached an output, the state counted {}",
                    seen.size(), TOTAL, totals);
        }
    }

    @Test
    void aNameNodeRestartMidRunLosesNothingAndTheJobContinues() throws Exception {
        String checkpoint = hdfs.getURI() + "/namenode-restart/checkpoint";
        // outputs outside HDFS: what is under test is the checkpoint and the logs riding out the outage
        String output = work.resolve("namenode-restart-output").toUri().toString();
        try (var source = new ReplayingNumberServer(TOTAL, 20, Duration.ofMillis(30))) {
            Process driver = startDriver(checkpoint, output, source, 0, true);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (latestCheckpoint(checkpoint) < 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(source.awaitAcked(TOTAL / 3, Duration.ofSeconds(120))).isTrue();
                hdfs.restartNameNode(true);
                fs = hdfs.getFileSystem();
                assertThat(source.awaitAcked(TOTAL, Duration.ofSeconds(240))).as("everything was sent").isTrue();
                // a store that failed in the outage restarts the receiver, which gets that chunk again
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                var numbers = numbersAsSent(output, source);
                while ((numbers.size() < TOTAL || !lastCounts(output, "totals").equals(perKey(numbers)))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    numbers = numbersAsSent(output, source);
                }
                assertThat(lastCounts(output, "totals")).as("updateStateByKey's final state (the numbers in the "
                        + "outputs per key; sent twice: %s)", resent(numbers)).isEqualTo(perKey(numbers));
                assertThat(driver.isAlive()).as("the job kept running").isTrue();
            } finally {
                killWithExecutors(driver);
            }
            var seen = numbersAsSent(output, source);
            assertThat(seen).as("every number sent is in a batch's output").hasSize((int) TOTAL);
        }
    }

    @Test
    void sigtermWithGracefulShutdownProcessesWhatWasReceivedAndWritesAFinalCheckpoint() throws Exception {
        String checkpoint = hdfs.getURI() + "/sigterm/checkpoint";
        String output = hdfs.getURI() + "/sigterm/output";
        try (var source = new ReplayingNumberServer(TOTAL, 20, Duration.ofMillis(30))) {
            // without the received-data log: only a graceful stop keeps what the receiver acknowledged
            Process driver = startDriver(checkpoint, output, source, 0, false,
                    "-Dsluice.streaming.stopGracefullyOnShutdown=true");
            source.holdAt(TOTAL / 2);
            assertThat(source.awaitAcked(TOTAL / 2, Duration.ofSeconds(120))).isTrue();
            driver.destroy(); // SIGTERM
            assertThat(driver.waitFor(120, TimeUnit.SECONDS)).as("the driver stopped").isTrue();
            var numbers = numbersOnce(output);
            assertThat(numbers).as("everything acknowledged before SIGTERM was processed").hasSize((int) (TOTAL / 2));
            long lastOutput = outputs(output, "numbers").lastKey();
            assertThat(latestCheckpoint(checkpoint)).as("a final checkpoint covers the last batch")
                    .isGreaterThanOrEqualTo(lastOutput);

            source.release();
            Process resumed = startDriver(checkpoint, output, source, 1, false);
            try {
                assertThat(source.awaitAcked(TOTAL, Duration.ofSeconds(180))).isTrue();
                var expected = new TreeMap<String, String>();
                for (long k = 0; k < 10; k++) {
                    expected.put(Long.toString(k), Long.toString(TOTAL / 10));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!lastCounts(output, "totals").equals(expected) && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
                assertThat(lastCounts(output, "totals")).as("nothing lost across the graceful stop").isEqualTo(expected);
            } finally {
                killWithExecutors(resumed);
            }
        }
    }
}
