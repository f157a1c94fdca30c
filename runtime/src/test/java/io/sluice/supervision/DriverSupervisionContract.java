package io.sluice.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.supervision.app.SupervisedCountingApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

/**
 * The driver-supervision contract every backend must pass, written once: a driver that fails is restarted after
 * the policy's backoff and recovers from its checkpoint; a permanent failure is not retried; exhausting the failure
 * budget fails the application with the reason; a healthy driver (batches completing) is forgiven its earlier
 * failures. Assertions are on the lifecycle states and events the backend reports ({@link DriverEvent}), never on
 * log wording. The driver is {@link SupervisedCountingApp}; backoffs are short through configuration.
 *
 * <p>A backend's test extends this with how to submit a driver under supervision and where drivers keep files
 * (local-cluster: {@code LocalClusterDriverSupervisionTest}; YARN: {@code YarnDriverSupervisionTest} in itests).
 */
public abstract class DriverSupervisionContract {

    /** A driver submitted under supervision. */
    protected interface SupervisedDriver {
        /** Waits until the driver reached a final state; every lifecycle event the backend reported, in order. */
        List<DriverEvent> awaitEnd(Duration timeout) throws Exception;
    }

    /**
     * Submits {@code mainClass} with {@code args} under the backend's supervision, with the settings {@code conf}
     * (the restart policy's keys) added to the backend's own.
     */
    protected abstract SupervisedDriver submit(String name, String mainClass, List<String> args, Map<String, String> conf)
            throws Exception;

    /** The file system every attempt of a driver reaches (checkpoints, the app's output). */
    protected abstract FileSystem fs() throws IOException;

    /** A directory on {@link #fs()} that no other run of this test class uses. */
    protected abstract Path baseDir() throws IOException;

    private Path dir(String name) throws IOException {
        return new Path(baseDir(), name);
    }

    /** The longest one scenario may take on this backend. */
    protected Duration timeout() {
        return Duration.ofMinutes(5);
    }

    private static Map<String, String> policy(int maxFailures, String healthyAfter) {
        return Map.of(SluiceConf.DRIVER_RESTART_POLICY.name(), "onFailure",
                SluiceConf.DRIVER_RESTART_BACKOFF.name(), "1s",
                SluiceConf.DRIVER_RESTART_MAX_BACKOFF.name(), "10s",
                SluiceConf.DRIVER_RESTART_MAX_FAILURES.name(), Integer.toString(maxFailures),
                SluiceConf.DRIVER_RESTART_FAILURE_WINDOW.name(), "1h",
                SluiceConf.DRIVER_RESTART_HEALTHY_AFTER.name(), healthyAfter);
    }

    private List<DriverEvent> run(String name, int failUpTo, int failAfter, long failAfterMs, int finishAfter,
                                  Map<String, String> conf) throws Exception {
        Path dir = dir(name);
        var args = List.of(new Path(dir, "checkpoint").toString(), new Path(dir, "output").toString(),
                Integer.toString(failUpTo), Integer.toString(failAfter), Long.toString(failAfterMs),
                Integer.toString(finishAfter));
        return submit(name, SupervisedCountingApp.class.getName(), args, conf).awaitEnd(timeout());
    }

    /** "STATE@attempt" for state changes, "HEALTHY@attempt" for health, in order. */
    protected static List<String> trail(List<DriverEvent> events) {
        return events.stream().map(e -> e instanceof DriverEvent.StateChanged s ? s.state() + "@" + s.attempt()
                : "HEALTHY@" + e.attempt()).toList();
    }

    protected static List<Duration> backoffs(List<DriverEvent> events) {
        return events.stream().filter(e -> e instanceof DriverEvent.StateChanged s && s.state() == DriverState.BACKING_OFF)
                .map(e -> ((DriverEvent.StateChanged) e).backoff()).toList();
    }

    protected static DriverEvent.StateChanged last(List<DriverEvent> events) {
        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1)).isInstanceOf(DriverEvent.StateChanged.class);
        return (DriverEvent.StateChanged) events.get(events.size() - 1);
    }

    private Properties attemptReport(String name, int attempt) throws IOException {
        var props = new Properties();
        try (var in = fs().open(new Path(new Path(dir(name), "output"), "attempt-" + attempt))) {
            props.load(new java.io.StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
        return props;
    }

    @Test
    void aFailedDriverIsRestartedAfterThePolicysBackoffAndRecoversFromItsCheckpoint() throws Exception {
        // attempts 1 and 2 fail after 3 batches each; attempt 3 stops after 4
        var events = run("restart", 2, 3, 0, 4, policy(3, "1h"));
        assertThat(trail(events)).as("events %s", events).containsExactly("SUBMITTED@1", "STARTING@1", "RUNNING@1",
                "BACKING_OFF@2", "STARTING@2", "RUNNING@2", "BACKING_OFF@3", "STARTING@3", "RUNNING@3", "SUCCEEDED@3");
        assertThat(backoffs(events)).as("the policy's backoff, doubling with each failure in a row")
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(events).filteredOn(e -> e instanceof DriverEvent.StateChanged s && s.state() == DriverState.BACKING_OFF)
                .allSatisfy(e -> assertThat(((DriverEvent.StateChanged) e).reason()).isNotBlank());
        for (int attempt = 2; attempt <= 3; attempt++) {
            var report = attemptReport("restart", attempt);
            assertThat(report.getProperty("recovering")).as("attempt %d recovered from the checkpoint", attempt).isEqualTo("true");
            assertThat(Long.parseLong(report.getProperty("firstCount"))).as("attempt %d continued the count", attempt)
                    .isGreaterThan(1L);
        }
        assertThat(attemptReport("restart", 1).getProperty("recovering")).isEqualTo("false");
    }

    @Test
    void aPermanentFailureIsNotRetried() throws Exception {
        var events = submit("permanent", "io.sluice.supervision.app.NoSuchApp", List.of(), policy(3, "1h"))
                .awaitEnd(timeout());
        assertThat(trail(events)).as("events %s", events).containsExactly("SUBMITTED@1", "STARTING@1", "FAILED@1");
        assertThat(last(events).reason()).contains("Main class io.sluice.supervision.app.NoSuchApp was not found");
    }

    @Test
    void exhaustingTheFailureBudgetFailsTheApplicationWithTheReason() throws Exception {
        var events = run("budget", 99, 2, 0, 1, policy(1, "1h"));
        assertThat(trail(events)).as("events %s", events).containsExactly("SUBMITTED@1", "STARTING@1", "RUNNING@1",
                "BACKING_OFF@2", "STARTING@2", "RUNNING@2", "FAILED@2");
        assertThat(last(events).reason()).contains("2 driver failures within 3600000 ms")
                .contains(SluiceConf.DRIVER_RESTART_MAX_FAILURES.name() + " = 1")
                .contains("planned failure of driver attempt 2");
    }

    @Test
    void aDriverThatWasHealthyIsForgivenItsEarlierFailures() throws Exception {
        // one failure allowed an hour, yet attempts 1 and 2 may fail: each was healthy (batches completing for 1 s)
        // before it failed (after 3 s of batches), so the failures before no longer count and the backoff starts again each time
        var events = run("healthy", 2, 4, 3_000, 2, policy(1, "1s"));
        // attempt 3 may become healthy too before it finishes, or not: that depends on how fast it catches up
        assertThat(trail(events).stream().filter(t -> !t.equals("HEALTHY@3"))).as("events %s", events).containsExactly("SUBMITTED@1", "STARTING@1", "RUNNING@1",
                "HEALTHY@1", "BACKING_OFF@2", "STARTING@2", "RUNNING@2", "HEALTHY@2", "BACKING_OFF@3", "STARTING@3",
                "RUNNING@3", "SUCCEEDED@3");
        assertThat(backoffs(events)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
    }
}
