package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.deploy.SubmitRequest;
import io.sluice.supervision.DriverEvent;
import io.sluice.supervision.DriverEventLog;
import io.sluice.supervision.DriverState;
import io.sluice.supervision.DriverSupervisionContract;
import io.sluice.supervision.app.SupervisedCountingApp;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The driver-supervision contract on YARN (cluster deploy mode, {@link MiniYarnDfs}): the ApplicationMaster runs the
 * driver and asks the shared restart policy whether YARN starts another attempt; the lifecycle events come from the
 * event log the ApplicationMasters write on HDFS ({@code sluice.driver.eventLogDir}), and YARN's final status and
 * diagnostics must agree with the last event. The ResourceManager allows 10 attempts, so the policy decides.
 * Also: a batch whose output operation fails fails the driver of an application that only awaits termination, and
 * the error reaches YARN's diagnostics.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class YarnDriverSupervisionTest extends DriverSupervisionContract {
    private static final Logger LOG = LogManager.getLogger(YarnDriverSupervisionTest.class);
    private static MiniYarnDfs cluster;
    private static java.nio.file.Path appJar;
    private static List<java.nio.file.Path> sluiceJars;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-driver-supervision", 10);
        appJar = YarnApps.pack(SupervisedCountingApp.class,
                Files.createDirectories(java.nio.file.Path.of("target", "yarn-apps")).toAbsolutePath().resolve("supervised-apps.jar"));
        sluiceJars = YarnApps.sluiceJars();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Duration timeout() {
        return Duration.ofMinutes(15);
    }

    @Override
    protected FileSystem fs() throws IOException {
        return cluster.fs();
    }

    @Override
    protected Path baseDir() throws IOException {
        return cluster.fs().makeQualified(new Path("/supervision"));
    }

    private Path eventDir() throws IOException {
        return cluster.fs().makeQualified(new Path("/driver-events"));
    }

    @Override
    protected SupervisedDriver submit(String name, String mainClass, List<String> args, Map<String, String> settings)
            throws Exception {
        SluiceConf conf = YarnApps.appConf().set(SluiceConf.APP_NAME.name(), "supervised-" + name)
                .set(SluiceConf.EXECUTOR_INSTANCES.name(), "1")
                .set(SluiceConf.DRIVER_EVENT_LOG_DIR.name(), eventDir().toString());
        settings.forEach(conf::set);
        var submitter = new YarnSubmitter(cluster.conf(), new SluiceConf(false).set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms"),
                line -> LOG.info("submit: {}", line));
        ApplicationId appId = ApplicationId.fromString(submitter.submit(new SubmitRequest(appJar, mainClass, args, conf, sluiceJars)));
        return timeout -> {
            try (submitter) {
                ApplicationStatus end = submitter.awaitCompletion(appId.toString(), timeout);
                List<DriverEvent> events = DriverEventLog.read(cluster.fs(), new Path(eventDir(), appId.toString()));
                try {
                    var last = last(events);
                    assertThat(end.state()).as(end.describe()).isEqualTo(switch (last.state()) {
                        case SUCCEEDED -> ApplicationState.SUCCEEDED;
                        case KILLED -> ApplicationState.KILLED;
                        default -> ApplicationState.FAILED;
                    });
                    if (last.state() == DriverState.FAILED) {
                        assertThat(end.diagnostics()).as("YARN's diagnostics").contains(last.reason());
                    }
                    try (var client = cluster.yarnClient()) {
                        assertThat(client.getApplicationAttempts(appId)).as("YARN's attempts")
                                .hasSize(last.attempt());
                    }
                } catch (AssertionError | RuntimeException e) {
                    LOG.error("events of {}: {}", appId, events);
                    YarnApps.dumpLogs(cluster, appId.toString());
                    throw e;
                }
                return events;
            }
        };
    }

    @Test
    void aFailedOutputOperationFailsTheDriverAndItsErrorReachesYarnsDiagnostics() throws Exception {
        // an application that only starts its context and awaits termination; restart policy never
        var dir = new Path(baseDir(), "output-failure");
        var events = submit("output-failure", SupervisedCountingApp.class.getName(),
                List.of(new Path(dir, "checkpoint").toString(), new Path(dir, "output").toString(), "1", "1", "0", "1"),
                Map.of(SluiceConf.DRIVER_RESTART_POLICY.name(), "never")).awaitEnd(timeout());
        assertThat(trail(events)).containsExactly("SUBMITTED@1", "STARTING@1", "RUNNING@1", "FAILED@1");
        assertThat(last(events).reason()).contains("OutputOperationFailedException")
                .contains("planned failure of driver attempt 1").contains("restart policy never");
    }
}
