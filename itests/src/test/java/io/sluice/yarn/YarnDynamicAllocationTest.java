package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.yarn.app.YarnLoadStepApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ContainerId;
import org.apache.hadoop.yarn.api.records.ContainerReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.NodeReport;
import org.apache.hadoop.yarn.api.records.NodeState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Dynamic allocation on a real YARN and HDFS (one {@link MiniYarnDfs} for the class), the acceptance test of the
 * YARN backend's issue: a streaming job submitted with {@link YarnSubmitter} (driver in the ApplicationMaster,
 * {@code sluice.dynamicAllocation.enabled}, min 1, max 3, scaling interval 2 s, batch 1 s) goes through a load step
 * ({@link YarnLoadStepApp}: 6 tasks a batch sleeping 400 ms each, i.e. 2.4 core-seconds a second, which needs 3
 * one-core executors). Watching only the ResourceManager (the application attempt's live containers and the
 * NodeManager's used memory), the test sees the executor containers rise above the minimum during the load, never
 * above the maximum, and fall back to one afterwards, with the NodeManager's used memory back down to what the
 * remaining containers hold (released containers really completed); the application ends SUCCEEDED.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class YarnDynamicAllocationTest {
    private static final Logger LOG = LogManager.getLogger(YarnDynamicAllocationTest.class);
    private static final int MIN = 1;
    private static final int MAX = 3;
    private static MiniYarnDfs cluster;
    private static Path appJar;

    /** One look at the ResourceManager: executor containers of the attempt, memory they and the AM hold, node use. */
    private record Sample(long atMs, int executors, long containersMb, long nodeUsedMb) {
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-dynamic-allocation");
        appJar = YarnApps.packApp("yarn-load-step.jar");
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static SluiceConf appConf() {
        return YarnApps.appConf()
                .set(SluiceConf.APP_NAME.name(), "yarn-load-step")
                .set(SluiceConf.EXECUTOR_INSTANCES.name(), Integer.toString(MIN)) // the initial count
                .set(SluiceConf.DYN_ALLOC_ENABLED.name(), "true")
                .set(SluiceConf.DYN_ALLOC_MIN.name(), Integer.toString(MIN))
                .set(SluiceConf.DYN_ALLOC_MAX.name(), Integer.toString(MAX))
                .set(SluiceConf.DYN_ALLOC_INTERVAL.name(), "2s")
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name(), "90s");
    }

    private static Sample sample(YarnClient client, ApplicationId appId, long startNanos) throws Exception {
        var attempt = client.getApplicationReport(appId).getCurrentApplicationAttemptId();
        if (attempt == null) {
            return null;
        }
        ContainerId am = client.getApplicationAttemptReport(attempt).getAMContainerId();
        int executors = 0;
        long containersMb = 0;
        for (ContainerReport c : client.getContainers(attempt)) { // the attempt's live containers
            containersMb += c.getAllocatedResource().getMemorySize();
            if (!c.getContainerId().equals(am)) {
                executors++;
            }
        }
        long used = 0;
        for (NodeReport n : client.getNodeReports(NodeState.RUNNING)) {
            used += n.getUsed() == null ? 0 : n.getUsed().getMemorySize();
        }
        return new Sample((System.nanoTime() - startNanos) / 1_000_000, executors, containersMb, used);
    }

    @Test
    void executorContainersFollowALoadStepUpAndBackDownWithinMinAndMax() throws Exception {
        var samples = new ArrayList<Sample>();
        try (var submitter = new YarnSubmitter(cluster.conf(),
                new SluiceConf(false).set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms"), line -> LOG.info("submit: {}", line));
             var client = cluster.yarnClient()) {
            ApplicationId appId = ApplicationId.fromString(submitter.submit(new SubmitRequest(appJar, YarnLoadStepApp.class.getName(),
                    List.of("5", "20", "6", "400"), appConf(), YarnApps.sluiceJars())));
            long start = System.nanoTime();
            long deadline = start + TimeUnit.MINUTES.toNanos(4);
            int last = -1;
            while (!submitter.status(appId.toString()).ended() && System.nanoTime() < deadline) {
                Sample s = sample(client, appId, start);
                if (s != null) {
                    samples.add(s);
                    if (s.executors() != last) {
                        LOG.info("{} ms: {} executor containers, {} MiB in the application's containers, {} MiB used on the node",
                                s.atMs(), s.executors(), s.containersMb(), s.nodeUsedMb());
                        last = s.executors();
                    }
                }
                Thread.sleep(250); // sampling interval
            }
            ApplicationStatus end = submitter.awaitCompletion(appId.toString(), Duration.ofSeconds(30));
            if (!end.succeeded()) {
                YarnApps.dumpLogs(cluster, appId.toString());
            }
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
        }

        int most = samples.stream().mapToInt(Sample::executors).max().orElse(0);
        assertThat(most).as("most executor containers at once").isGreaterThan(MIN).isLessThanOrEqualTo(MAX);
        int peak = 0;
        while (samples.get(peak).executors() != most) {
            peak++;
        }
        long peakUsed = samples.get(peak).nodeUsedMb();
        // after the load: one executor container left, and the node holds exactly what the live containers hold
        var after = samples.subList(peak, samples.size()).stream()
                .filter(s -> s.executors() == MIN && s.nodeUsedMb() == s.containersMb())
                .findFirst();
        assertThat(after).as("a sample after the peak with %d executor container(s) and the node's used memory equal to "
                + "the live containers' (samples from the peak: %s)", MIN, samples.subList(peak, samples.size())).isPresent();
        assertThat(after.get().nodeUsedMb()).as("node memory used after the scale-down, against the peak")
                .isLessThan(peakUsed);
        LOG.info("peak {} executors ({} MiB used on the node) at {} ms; back to {} ({} MiB) at {} ms", most, peakUsed,
                samples.get(peak).atMs(), MIN, after.get().nodeUsedMb(), after.get().atMs());
    }
}
