package io.sluice.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.control.RestartBackoff;
import io.sluice.util.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervision loop with scripted drivers and a manual clock: backoff, budget, health and kills decide the
 * lifecycle, without real processes and without waiting for real time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DriverSupervisorTest {
    private static final DriverOutcome BOOM = new DriverOutcome.Failed("boom", null);
    private final ManualClock clock = new ManualClock(1_000_000);
    private final ScriptedLauncher launcher = new ScriptedLauncher();
    private final List<DriverEvent> events = new CopyOnWriteArrayList<>();
    private final CompletableFuture<RestartDecision.Stop> result = new CompletableFuture<>();
    private Thread thread;

    /** A driver whose end, progress and kill the test controls. */
    static final class ScriptedDriver implements DriverLauncher.LaunchedDriver {
        final CompletableFuture<DriverOutcome> end = new CompletableFuture<>();
        final AtomicReference<DriverProgress> progress = new AtomicReference<>();
        volatile boolean killed;

        @Override
        public Optional<DriverOutcome> awaitEnd(Duration timeout) throws InterruptedException {
            try {
                return Optional.of(end.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Optional<DriverProgress> progress() {
            return Optional.ofNullable(progress.get());
        }

        @Override
        public void kill(Duration grace) {
            killed = true;
            end.complete(DriverExitCode.outcomeOf(143, ""));
        }
    }

    static final class ScriptedLauncher implements DriverLauncher {
        final List<ScriptedDriver> launched = new CopyOnWriteArrayList<>();

        @Override
        public LaunchedDriver launch(int attempt) throws IOException {
            var d = new ScriptedDriver();
            launched.add(d);
            return d;
        }

        ScriptedDriver attempt(int n) throws InterruptedException {
            await(() -> launched.size() >= n, "attempt " + n + " to be launched");
            return launched.get(n - 1);
        }
    }

    private DriverSupervisor start(int maxFailures, Duration healthyAfter) {
        var policy = new DriverRestartPolicy(RestartMode.ON_FAILURE, new RestartBackoff(Duration.ofSeconds(10),
                Duration.ofMinutes(1), 2.0), maxFailures, Duration.ofHours(1), healthyAfter);
        var supervisor = new DriverSupervisor("app-1", launcher, policy, clock, List.of(events::add),
                Duration.ofMillis(5), Duration.ofSeconds(1));
        thread = new Thread(() -> {
            try {
                result.complete(supervisor.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "test-supervisor");
        thread.start();
        return supervisor;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private List<String> states() {
        return events.stream().map(e -> e instanceof DriverEvent.StateChanged s ? s.state() + "@" + s.attempt()
                : "HEALTHY@" + e.attempt()).toList();
    }

    private void awaitState(DriverState state, int attempt) throws InterruptedException {
        await(() -> states().contains(state + "@" + attempt), state + " of attempt " + attempt + " in " + states());
    }

    @Test
    void aFailedDriverIsStartedAgainOnlyOnceItsBackoffPassed() throws Exception {
        start(3, Duration.ofHours(1));
        var first = launcher.attempt(1);
        first.progress.set(new DriverProgress(clock.currentTimeMillis(), -1, -1, 0));
        awaitState(DriverState.RUNNING, 1);
        first.end.complete(BOOM);
        awaitState(DriverState.BACKING_OFF, 2);
        assertThat(events).filteredOn(e -> e instanceof DriverEvent.StateChanged s && s.state() == DriverState.BACKING_OFF)
                .singleElement().extracting(e -> ((DriverEvent.StateChanged) e).backoff()).isEqualTo(Duration.ofSeconds(10));
        clock.advance(9_999);
        Thread.sleep(50); // nothing to wait for: asserting that nothing happens in the meantime
        assertThat(launcher.launched).as("still backing off").hasSize(1);
        clock.advance(1);
        launcher.attempt(2).end.complete(new DriverOutcome.Succeeded());
        assertThat(result.get(30, TimeUnit.SECONDS).finalState()).isEqualTo(DriverState.SUCCEEDED);
        assertThat(states()).containsExactly("SUBMITTED@1", "STARTING@1", "RUNNING@1", "BACKING_OFF@2", "STARTING@2",
                "SUCCEEDED@2");
    }

    @Test
    void exhaustingTheBudgetFailsTheApplicationWithTheReasonAndDoublesTheBackoffBefore() throws Exception {
        start(1, Duration.ofHours(1));
        launcher.attempt(1).end.complete(BOOM);
        awaitState(DriverState.BACKING_OFF, 2);
        clock.advance(10_000);
        launcher.attempt(2).end.complete(BOOM);
        var stop = result.get(30, TimeUnit.SECONDS);
        assertThat(stop.finalState()).isEqualTo(DriverState.FAILED);
        assertThat(stop.reason()).contains("2 driver failures within 3600000 ms").contains("maxFailures = 1").endsWith("boom");
        assertThat(states()).containsExactly("SUBMITTED@1", "STARTING@1", "BACKING_OFF@2", "STARTING@2", "FAILED@2");
        assertThat(((DriverEvent.StateChanged) events.get(events.size() - 1)).reason()).isEqualTo(stop.reason());
    }

    @Test
    void aHealthyDriverIsForgivenItsEarlierFailures() throws Exception {
        start(1, Duration.ofMinutes(5));
        launcher.attempt(1).end.complete(BOOM);
        awaitState(DriverState.BACKING_OFF, 2);
        clock.advance(10_000);
        var second = launcher.attempt(2);
        long t = clock.currentTimeMillis();
        second.progress.set(new DriverProgress(t, t, t + Duration.ofMinutes(5).toMillis(), 300));
        await(() -> states().contains("HEALTHY@2"), "attempt 2 to become healthy");
        second.end.complete(BOOM);
        awaitState(DriverState.BACKING_OFF, 3);
        assertThat(((DriverEvent.StateChanged) events.get(events.size() - 1)).backoff())
                .as("the backoff starts again from its initial value").isEqualTo(Duration.ofSeconds(10));
        clock.advance(10_000);
        launcher.attempt(3).end.complete(new DriverOutcome.Succeeded());
        assertThat(result.get(30, TimeUnit.SECONDS).finalState()).isEqualTo(DriverState.SUCCEEDED);
        assertThat(states()).containsExactly("SUBMITTED@1", "STARTING@1", "BACKING_OFF@2", "STARTING@2", "RUNNING@2",
                "HEALTHY@2", "BACKING_OFF@3", "STARTING@3", "SUCCEEDED@3");
    }

    @Test
    void aPermanentFailureIsNotRetried() throws Exception {
        start(3, Duration.ofHours(1));
        launcher.attempt(1).end.complete(DriverExitCode.outcomeOf(2, "Main class x.Y was not found"));
        var stop = result.get(30, TimeUnit.SECONDS);
        assertThat(stop.finalState()).isEqualTo(DriverState.FAILED);
        assertThat(stop.reason()).contains("Main class x.Y was not found").contains("not restarted");
        assertThat(launcher.launched).hasSize(1);
    }

    @Test
    void aKillStopsTheRunningDriverAndEndsInKilled() throws Exception {
        var supervisor = start(3, Duration.ofHours(1));
        var first = launcher.attempt(1);
        supervisor.kill("killed by the user");
        assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(new RestartDecision.Stop(DriverState.KILLED, "killed by the user"));
        assertThat(first.killed).isTrue();
        assertThat(states()).containsExactly("SUBMITTED@1", "STARTING@1", "KILLED@1");
    }

    @Test
    void aKillWhileBackingOffStartsNoFurtherAttempt() throws Exception {
        var supervisor = start(3, Duration.ofHours(1));
        launcher.attempt(1).end.complete(BOOM);
        awaitState(DriverState.BACKING_OFF, 2);
        supervisor.kill("killed by the user");
        assertThat(result.get(30, TimeUnit.SECONDS).finalState()).isEqualTo(DriverState.KILLED);
        assertThat(launcher.launched).hasSize(1);
    }

    @Test
    void theEventLogHoldsTheLifecycleAttemptByAttempt(@TempDir Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        var log = DriverEventLog.open(dir.toUri().toString(), "app-1", new Configuration());
        var lifecycle = new DriverLifecycle("app-1", clock, DriverState.SUBMITTED, 1, false, List.of(log));
        lifecycle.moveTo(DriverState.STARTING, 1, "");
        lifecycle.backOff(2, Duration.ofSeconds(3), "boom\nat x");
        lifecycle.moveTo(DriverState.STARTING, 2, "");
        lifecycle.healthy(2, "5 batches");
        lifecycle.moveTo(DriverState.SUCCEEDED, 2, "");
        assertThat(DriverEventLog.read(fs, log.dir())).isEqualTo(lifecycle.events());
    }
}
