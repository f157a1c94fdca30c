package io.sluice.supervision;

import io.sluice.util.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Supervises a driver the way a cluster manager would, for a launcher without a cluster manager of its own (a
 * child JVM for {@code sluice-submit --supervise} with a local master): starts it, reports its lifecycle, watches
 * its progress (RUNNING once its streaming context started, healthy once it has completed batches for
 * {@code healthyAfter}), and when it ends applies the {@link DriverRestartPolicy}: backs off and starts it again, or
 * ends in SUCCEEDED, FAILED or KILLED. {@link #run()} blocks on the caller's thread; {@link #kill} may be called from
 * any thread. Times come from the clock, so tests step the backoff with a manual one.
 */
public final class DriverSupervisor {
    private static final Logger LOG = LogManager.getLogger(DriverSupervisor.class);

    private final String appId;
    private final DriverLauncher launcher;
    private final DriverRestartPolicy policy;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration killGrace;
    private final DriverLifecycle lifecycle;
    private volatile String killReason;

    public DriverSupervisor(String appId, DriverLauncher launcher, DriverRestartPolicy policy, Clock clock,
                            List<DriverLifecycleListener> listeners, Duration pollInterval, Duration killGrace) {
        this.appId = appId;
        this.launcher = launcher;
        this.policy = policy;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.killGrace = killGrace;
        this.lifecycle = new DriverLifecycle(appId, clock, DriverState.SUBMITTED, 1, false, listeners);
    }

    public DriverLifecycle lifecycle() {
        return lifecycle;
    }

    /** Stops the driver (SIGTERM, then SIGKILL after the grace period) and ends supervision in KILLED. */
    public void kill(String reason) {
        killReason = reason;
    }

    /** Supervises until the driver's final state; returns the final decision (state and reason). */
    public RestartDecision.Stop run() throws InterruptedException {
        var history = new ArrayList<AttemptRecord>();
        int attempt = 1;
        while (true) {
            if (killReason != null) {
                return stop(new RestartDecision.Stop(DriverState.KILLED, killReason), attempt);
            }
            lifecycle.moveTo(DriverState.STARTING, attempt, "");
            OptionalLong healthyAt = OptionalLong.empty();
            DriverOutcome outcome;
            try {
                var driver = launcher.launch(attempt);
                var watch = watch(driver, attempt);
                outcome = watch.outcome;
                healthyAt = watch.healthyAt;
            } catch (IOException | RuntimeException e) {
                LOG.error("Application {}: cannot start driver attempt {}", appId, attempt, e);
                outcome = new DriverOutcome.Failed("cannot start the driver: " + e, e);
            }
            long now = clock.currentTimeMillis();
            RestartDecision decision = policy.decide(history, attempt, healthyAt, outcome, now, AttemptLimit.NONE);
            history.add(new AttemptRecord(attempt, now, outcome instanceof DriverOutcome.Failed, healthyAt));
            if (decision instanceof RestartDecision.Stop s) {
                return stop(s, attempt);
            }
            var restart = (RestartDecision.Restart) decision;
            long until = lifecycle.backOff(attempt + 1, restart.delay(), restart.reason()).timeMs()
                    + restart.delay().toMillis();
            while (clock.currentTimeMillis() < until) {
                if (killReason != null) {
                    return stop(new RestartDecision.Stop(DriverState.KILLED, killReason), attempt + 1);
                }
                clock.waitTillTime(until, pollInterval.toMillis());
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while backing off before driver attempt " + (attempt + 1));
                }
            }
            attempt++;
        }
    }

    private RestartDecision.Stop stop(RestartDecision.Stop s, int attempt) {
        lifecycle.moveTo(s.finalState(), attempt, s.reason());
        return s;
    }

    private record Watch(DriverOutcome outcome, OptionalLong healthyAt) {
    }

    private Watch watch(DriverLauncher.LaunchedDriver driver, int attempt) throws InterruptedException {
        OptionalLong healthyAt = OptionalLong.empty();
        boolean killSent = false;
        try {
            while (true) {
                Optional<DriverOutcome> end = driver.awaitEnd(pollInterval);
                Optional<DriverProgress> progress = driver.progress();
                if (progress.isPresent()) {
                    var p = progress.get();
                    if (lifecycle.state() == DriverState.STARTING && p.startedMs() >= 0) {
                        lifecycle.moveTo(DriverState.RUNNING, attempt, "");
                    }
                    if (healthyAt.isEmpty() && policy.isHealthy(p.firstBatchMs(), p.lastBatchMs())) {
                        healthyAt = OptionalLong.of(clock.currentTimeMillis());
                        lifecycle.healthy(attempt, p.batches() + " batches completed over "
                                + (p.lastBatchMs() - p.firstBatchMs()) + " ms: earlier failures count no more");
                    }
                }
                if (end.isPresent()) {
                    DriverOutcome outcome = killSent ? new DriverOutcome.Killed(killReason) : end.get();
                    return new Watch(outcome, healthyAt);
                }
                if (killReason != null && !killSent) {
                    LOG.info("Application {}: killing driver attempt {}: {}", appId, attempt, killReason);
                    driver.kill(killGrace);
                    killSent = true;
                }
            }
        } catch (InterruptedException e) {
            driver.kill(killGrace);
            throw e;
        }
    }
}
