package io.sluice.supervision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.control.RestartBackoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The restart policy as a function of the attempts' history and the time (no waiting: times are passed in). */
class DriverRestartPolicyTest {
    private static final long S = 1_000;
    private static final DriverOutcome BOOM = new DriverOutcome.Failed("java.lang.IllegalStateException: boom", null);

    private static DriverRestartPolicy policy(RestartMode mode, int maxFailures, Duration window, Duration healthyAfter) {
        return new DriverRestartPolicy(mode, new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0),
                maxFailures, window, healthyAfter);
    }

    /** Replays failures at {@code times} (attempts 1..n, never healthy) and returns each decision. */
    private static List<RestartDecision> failAt(DriverRestartPolicy p, long... times) {
        var history = new ArrayList<AttemptRecord>();
        var decisions = new ArrayList<RestartDecision>();
        for (int i = 0; i < times.length; i++) {
            decisions.add(p.decide(history, i + 1, OptionalLong.empty(), BOOM, times[i], AttemptLimit.NONE));
            history.add(AttemptRecord.failed(i + 1, times[i], OptionalLong.empty()));
        }
        return decisions;
    }

    private static Duration delay(RestartDecision d) {
        assertThat(d).isInstanceOf(RestartDecision.Restart.class);
        return ((RestartDecision.Restart) d).delay();
    }

    @Test
    void failuresInARowWaitACappedExponentialBackoff() {
        var decisions = failAt(policy(RestartMode.ON_FAILURE, 10, Duration.ofHours(1), Duration.ofHours(1)),
                0, 10 * S, 20 * S, 30 * S, 40 * S);
        assertThat(decisions.stream().map(DriverRestartPolicyTest::delay).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(((RestartDecision.Restart) decisions.get(0)).reason()).contains("boom");
    }

    @Test
    void oneFailureMoreThanTheBudgetWithinTheWindowFailsTheApplicationWithTheReason() {
        var decisions = failAt(policy(RestartMode.ON_FAILURE, 2, Duration.ofMinutes(1), Duration.ofHours(1)),
                0, 10 * S, 20 * S);
        assertThat(decisions.subList(0, 2)).allSatisfy(d -> assertThat(d).isInstanceOf(RestartDecision.Restart.class));
        assertThat(decisions.get(2)).isEqualTo(new RestartDecision.Stop(DriverState.FAILED, "3 driver failures within "
                + "60000 ms, more than sluice.driver.restart.maxFailures = 2; the last: java.lang.IllegalStateException: boom"));
    }

    @Test
    void failuresThatLeftTheSlidingWindowDoNotCount() {
        var decisions = failAt(policy(RestartMode.ON_FAILURE, 1, Duration.ofSeconds(10), Duration.ofHours(1)),
                0, 20 * S, 25 * S);
        assertThat(decisions.get(0)).isInstanceOf(RestartDecision.Restart.class);
        assertThat(decisions.get(1)).as("the failure at 0 left the window").isInstanceOf(RestartDecision.Restart.class);
        assertThat(decisions.get(2)).isInstanceOf(RestartDecision.Stop.class);
    }

    @Test
    void aDriverThatBecameHealthyStartsItsFailureCountAndBackoffAgain() {
        var p = policy(RestartMode.ON_FAILURE, 1, Duration.ofDays(30), Duration.ofMinutes(10));
        var history = new ArrayList<AttemptRecord>();
        // attempt 1 fails at once
        assertThat(delay(p.decide(history, 1, OptionalLong.empty(), BOOM, 0, AttemptLimit.NONE))).isEqualTo(Duration.ofSeconds(1));
        history.add(AttemptRecord.failed(1, 0, OptionalLong.empty()));
        // attempt 2 ran healthily for a week, then failed: the failure of attempt 1 counts no more
        long week = Duration.ofDays(7).toMillis();
        var healthy = OptionalLong.of(Duration.ofMinutes(15).toMillis());
        assertThat(delay(p.decide(history, 2, healthy, BOOM, week, AttemptLimit.NONE)))
                .as("the backoff starts from its initial value again").isEqualTo(Duration.ofSeconds(1));
        history.add(AttemptRecord.failed(2, week, healthy));
        // attempt 3 fails before it is healthy: two failures since the driver was last healthy, more than 1
        var third = p.decide(history, 3, OptionalLong.empty(), BOOM, week + 10 * S, AttemptLimit.NONE);
        assertThat(third).isInstanceOf(RestartDecision.Stop.class);
        assertThat(((RestartDecision.Stop) third).reason()).startsWith("2 driver failures within 2592000000 ms since it was last healthy");

        // the same history without the healthy week: attempt 2's failure is already one too many
        var unhealthy = new ArrayList<>(List.of(AttemptRecord.failed(1, 0, OptionalLong.empty())));
        assertThat(p.decide(unhealthy, 2, OptionalLong.empty(), BOOM, week, AttemptLimit.NONE))
                .isInstanceOf(RestartDecision.Stop.class);
    }

    @Test
    void healthMeansBatchesCompletingForTheConfiguredTime() {
        var p = policy(RestartMode.ON_FAILURE, 1, Duration.ofDays(1), Duration.ofMinutes(10));
        assertThat(p.isHealthy(-1, -1)).as("no batch completed").isFalse();
        assertThat(p.isHealthy(0, Duration.ofMinutes(9).toMillis())).isFalse();
        assertThat(p.isHealthy(0, Duration.ofMinutes(10).toMillis())).isTrue();
    }

    @Test
    void withModeNeverAFailureIsFinal() {
        var d = policy(RestartMode.NEVER, 5, Duration.ofHours(1), Duration.ofHours(1))
                .decide(List.of(), 1, OptionalLong.empty(), BOOM, 0, AttemptLimit.NONE);
        assertThat(d).isEqualTo(new RestartDecision.Stop(DriverState.FAILED,
                "java.lang.IllegalStateException: boom (restart policy never: not restarted)"));
    }

    @Test
    void aPermanentFailureAndAKillAreFinalWhateverTheMode() {
        for (RestartMode mode : RestartMode.values()) {
            var p = policy(mode, 5, Duration.ofHours(1), Duration.ofHours(1));
            assertThat(p.decide(List.of(), 1, OptionalLong.empty(), new DriverOutcome.FailedPermanently("Main class x.Y was not found"),
                    0, AttemptLimit.NONE)).isEqualTo(new RestartDecision.Stop(DriverState.FAILED,
                    "Main class x.Y was not found (a permanent failure: not restarted)"));
            assertThat(p.decide(List.of(), 1, OptionalLong.empty(), new DriverOutcome.Killed("killed by the user"), 0,
                    AttemptLimit.NONE)).isEqualTo(new RestartDecision.Stop(DriverState.KILLED, "killed by the user"));
        }
    }

    @Test
    void aSuccessIsFinalUnlessTheModeIsAlways() {
        var ok = new DriverOutcome.Succeeded();
        assertThat(policy(RestartMode.ON_FAILURE, 5, Duration.ofHours(1), Duration.ofHours(1))
                .decide(List.of(), 1, OptionalLong.empty(), ok, 0, AttemptLimit.NONE))
                .isEqualTo(new RestartDecision.Stop(DriverState.SUCCEEDED, ""));
        // a success does not count as a failure: after failures, the backoff starts again
        var always = policy(RestartMode.ALWAYS, 5, Duration.ofHours(1), Duration.ofHours(1));
        assertThat(delay(always.decide(List.of(), 1, OptionalLong.empty(), ok, 0, AttemptLimit.NONE))).isEqualTo(Duration.ofSeconds(1));
        var history = List.of(AttemptRecord.failed(1, 0, OptionalLong.empty()), AttemptRecord.failed(2, S, OptionalLong.empty()),
                AttemptRecord.succeeded(3, 2 * S, OptionalLong.empty()));
        assertThat(delay(always.decide(history, 4, OptionalLong.empty(), BOOM, 3 * S, AttemptLimit.NONE))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aRestartTheClusterManagerWouldNotMakeEndsTheApplicationSayingSo() {
        var p = policy(RestartMode.ON_FAILURE, 5, Duration.ofHours(1), Duration.ofHours(1));
        var yarn = new AttemptLimit(2, Duration.ZERO, "yarn.resourcemanager.am.max-attempts = 2");
        assertThat(p.decide(List.of(), 1, OptionalLong.empty(), BOOM, 0, yarn)).isInstanceOf(RestartDecision.Restart.class);
        assertThat(p.decide(List.of(AttemptRecord.failed(1, 0, OptionalLong.empty())), 2, OptionalLong.empty(), BOOM, S, yarn))
                .isEqualTo(new RestartDecision.Stop(DriverState.FAILED, "java.lang.IllegalStateException: boom (attempt 2 was "
                        + "the last the cluster manager allows: yarn.resourcemanager.am.max-attempts = 2)"));
    }

    @Test
    void anAttemptLimitWithAValidityIntervalCountsOnlyTheFailuresWithinIt() {
        long now = 1_000_000_000L;
        var noInterval = new AttemptLimit(2, Duration.ZERO, "2 attempts");
        assertThat(noInterval.allowsAnotherAfter(1, List.of(), now)).isTrue();
        assertThat(noInterval.allowsAnotherAfter(2, List.of(now - 5_000_000), now)).isFalse();
        var hourly = new AttemptLimit(2, Duration.ofHours(1), "2 attempts an hour");
        // attempt 5 of a job whose earlier failures were days ago: another attempt follows
        assertThat(hourly.allowsAnotherAfter(5, List.of(now - 86_400_000L * 3, now - 86_400_000L), now)).isTrue();
        // a second failure within the hour is the last one accepted
        assertThat(hourly.allowsAnotherAfter(5, List.of(now - 86_400_000L, now - 60_000), now)).isFalse();
        assertThat(new AttemptLimit(1, Duration.ofSeconds(1), "one").allowsAnotherAfter(1, List.of(), now)).isFalse();
        assertThat(AttemptLimit.NONE.allowsAnotherAfter(1000, List.of(), now)).isTrue();
        assertThatThrownBy(() -> new AttemptLimit(0, Duration.ZERO, "none")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theKeysSetThePolicyAndBadValuesAreRefusedNamingTheKey() {
        var conf = new SluiceConf(false).set(SluiceConf.DRIVER_RESTART_POLICY.name(), "always")
                .set(SluiceConf.DRIVER_RESTART_MAX_FAILURES.name(), "7")
                .set(SluiceConf.DRIVER_RESTART_FAILURE_WINDOW.name(), "30min")
                .set(SluiceConf.DRIVER_RESTART_BACKOFF.name(), "500ms")
                .set(SluiceConf.DRIVER_RESTART_MAX_BACKOFF.name(), "10s")
                .set(SluiceConf.DRIVER_RESTART_HEALTHY_AFTER.name(), "2min");
        assertThat(DriverRestartPolicy.from(conf)).isEqualTo(new DriverRestartPolicy(RestartMode.ALWAYS,
                new RestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(10), 2.0), 7, Duration.ofMinutes(30),
                Duration.ofMinutes(2)));
        assertThat(DriverRestartPolicy.from(new SluiceConf(false)).mode()).isEqualTo(RestartMode.ON_FAILURE);
        assertThat(RestartMode.parse("on-failure")).isEqualTo(RestartMode.ON_FAILURE);
        assertThatThrownBy(() -> DriverRestartPolicy.from(new SluiceConf(false).set(SluiceConf.DRIVER_RESTART_POLICY.name(), "sometimes")))
                .hasMessageContaining("sluice.driver.restart.policy").hasMessageContaining("expected never, onFailure or always");
        assertThatThrownBy(() -> DriverRestartPolicy.from(new SluiceConf(false).set(SluiceConf.DRIVER_RESTART_MAX_BACKOFF.name(), "1s")))
                .hasMessage("sluice.driver.restart.maxBackoff (1000 ms) must be at least sluice.driver.restart.backoff (2000 ms)");
    }

    @Test
    void exitCodesTellTheOutcome() {
        assertThat(DriverExitCode.outcomeOf(0, "")).isEqualTo(new DriverOutcome.Succeeded());
        assertThat(DriverExitCode.outcomeOf(1, "java.lang.IllegalStateException: boom"))
                .isEqualTo(new DriverOutcome.Failed("the driver exited with code 1: java.lang.IllegalStateException: boom", null));
        assertThat(DriverExitCode.outcomeOf(2, "Main class x.Y was not found")).isInstanceOf(DriverOutcome.FailedPermanently.class)
                .extracting(DriverOutcome::describe).asString().contains("Main class x.Y was not found");
        assertThat(DriverExitCode.outcomeOf(143, "")).isInstanceOf(DriverOutcome.Killed.class);
        assertThat(DriverExitCode.outcomeOf(130, "")).isInstanceOf(DriverOutcome.Killed.class);
        assertThat(DriverExitCode.outcomeOf(137, "")).isInstanceOf(DriverOutcome.Failed.class)
                .extracting(DriverOutcome::describe).asString().contains("SIGKILL");
        for (DriverOutcome o : List.of(new DriverOutcome.Succeeded(), BOOM, new DriverOutcome.FailedPermanently("x"),
                new DriverOutcome.Killed("k"))) {
            assertThat(DriverExitCode.outcomeOf(o.exitCode(), "").getClass()).as("round trip of " + o).isEqualTo(o.getClass());
        }
    }

    @Test
    void eventsSurviveTheirLineFormat() {
        var events = List.<DriverEvent>of(
                new DriverEvent.StateChanged(12, 2, DriverState.BACKING_OFF, "boom\n\tat x.Y(Y.java:1)\\n", Duration.ofMillis(1500)),
                new DriverEvent.StateChanged(13, 2, DriverState.STARTING, "", Duration.ZERO),
                new DriverEvent.BecameHealthy(14, 2, "40 batches"));
        for (DriverEvent e : events) {
            assertThat(e.toLine()).doesNotContain("\n");
            assertThat(DriverEvent.parse(e.toLine())).isEqualTo(e);
        }
    }
}
