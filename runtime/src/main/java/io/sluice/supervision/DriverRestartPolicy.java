package io.sluice.supervision;

import io.sluice.conf.SluiceConf;
import io.sluice.control.FailureWindow;
import io.sluice.control.RestartBackoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * When a driver is started again, the same for every backend ({@code sluice.driver.restart.*}):
 * <ul>
 *   <li>a kill is final (KILLED), and so is a permanent failure (FAILED: its main class does not exist, ...);</li>
 *   <li>a success is final (SUCCEEDED) unless the mode is {@link RestartMode#ALWAYS}, which starts it again after
 *       the initial backoff;</li>
 *   <li>a failure worth retrying is final with {@link RestartMode#NEVER}; otherwise the driver is started again
 *       after a capped exponential backoff ({@link RestartBackoff}: the n-th failure in a row waits
 *       {@code min(max, initial × 2^(n-1))}) as long as the failures within the sliding window
 *       ({@link FailureWindow}) are at most {@code maxFailures}; one more fails the application with the reason;</li>
 *   <li>healthy = batches completing: once a driver has completed batches for {@code healthyAfter}, the failures
 *       before that moment count no more (neither towards the budget nor for the backoff), so a job that ran for a
 *       week is not ended by its third crash in a month.</li>
 * </ul>
 * A pure function of the attempts' history and the time, so backends and tests replay it exactly.
 */
public record DriverRestartPolicy(RestartMode mode, RestartBackoff backoff, int maxFailures, Duration failureWindow,
                                  Duration healthyAfter) {

    public DriverRestartPolicy {
        if (maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures must be >= 0, got " + maxFailures);
        }
        if (failureWindow.isNegative() || failureWindow.isZero() || healthyAfter.isNegative()) {
            throw new IllegalArgumentException("the failure window must be positive and healthyAfter not negative: "
                    + failureWindow + ", " + healthyAfter);
        }
    }

    /** The policy {@code conf} sets ({@code sluice.driver.restart.*}). */
    public static DriverRestartPolicy from(SluiceConf conf) {
        Duration initial = conf.get(SluiceConf.DRIVER_RESTART_BACKOFF);
        Duration max = conf.get(SluiceConf.DRIVER_RESTART_MAX_BACKOFF);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(SluiceConf.DRIVER_RESTART_MAX_BACKOFF.name() + " (" + max.toMillis()
                    + " ms) must be at least " + SluiceConf.DRIVER_RESTART_BACKOFF.name() + " (" + initial.toMillis() + " ms)");
        }
        return new DriverRestartPolicy(RestartMode.parse(conf.get(SluiceConf.DRIVER_RESTART_POLICY)),
                new RestartBackoff(initial, max, 2.0), conf.get(SluiceConf.DRIVER_RESTART_MAX_FAILURES),
                conf.get(SluiceConf.DRIVER_RESTART_FAILURE_WINDOW), conf.get(SluiceConf.DRIVER_RESTART_HEALTHY_AFTER));
    }

    /**
     * Decides what follows the end of the current attempt.
     *
     * @param earlier   the attempts before the current one that ended, any order
     * @param current   the attempt that just ended
     * @param healthyAt when the current attempt became healthy, if it did
     * @param outcome   how it ended
     * @param nowMs     when it ended (epoch millis)
     * @param limit     the cluster manager's own cap on attempts ({@link AttemptLimit#NONE} if it has none)
     */
    public RestartDecision decide(List<AttemptRecord> earlier, int current, OptionalLong healthyAt, DriverOutcome outcome,
                                  long nowMs, AttemptLimit limit) {
        if (outcome instanceof DriverOutcome.Killed k) {
            return new RestartDecision.Stop(DriverState.KILLED, k.reason());
        }
        if (outcome instanceof DriverOutcome.FailedPermanently p) {
            return new RestartDecision.Stop(DriverState.FAILED, p.reason() + " (a permanent failure: not restarted)");
        }
        if (outcome instanceof DriverOutcome.Succeeded) {
            if (mode != RestartMode.ALWAYS) {
                return new RestartDecision.Stop(DriverState.SUCCEEDED, "");
            }
            return capped(new RestartDecision.Restart(backoff.initial(), "the driver finished; restart policy "
                    + RestartMode.ALWAYS.configName() + " starts it again"), earlier, current, nowMs, limit);
        }
        String reason = outcome.describe();
        if (mode == RestartMode.NEVER) {
            return new RestartDecision.Stop(DriverState.FAILED, reason + " (restart policy " + mode.configName()
                    + ": not restarted)");
        }
        long resetAt = resetTime(earlier, healthyAt);
        long lastSuccess = earlier.stream().filter(a -> !a.failed()).mapToLong(AttemptRecord::endedAtMs).max().orElse(Long.MIN_VALUE);
        var failures = new ArrayList<Long>();
        for (AttemptRecord a : earlier) {
            if (a.failed() && a.endedAtMs() > resetAt) {
                failures.add(a.endedAtMs());
            }
        }
        failures.add(nowMs);
        failures.sort(null);
        var window = new FailureWindow(maxFailures, failureWindow);
        failures.forEach(window::recordFailure);
        if (!window.withinBudget(nowMs)) {
            return new RestartDecision.Stop(DriverState.FAILED, window.failuresInWindow(nowMs) + " driver failures within "
                    + failureWindow.toMillis() + " ms" + (resetAt == Long.MIN_VALUE ? "" : " since it was last healthy")
                    + ", more than " + SluiceConf.DRIVER_RESTART_MAX_FAILURES.name() + " = " + maxFailures
                    + "; the last: " + reason);
        }
        long inARow = failures.stream().filter(t -> t > lastSuccess).count();
        return capped(new RestartDecision.Restart(backoff.delayAfter((int) Math.min(inARow, 64)), reason), earlier,
                current, nowMs, limit);
    }

    /** Failures at or before this time no longer count: the latest moment an attempt became healthy. */
    private static long resetTime(List<AttemptRecord> earlier, OptionalLong healthyAt) {
        long reset = healthyAt.orElse(Long.MIN_VALUE);
        for (AttemptRecord a : earlier) {
            if (a.healthyAtMs().isPresent()) {
                reset = Math.max(reset, a.healthyAtMs().getAsLong());
            }
        }
        return reset;
    }

    private static RestartDecision capped(RestartDecision.Restart restart, List<AttemptRecord> earlier, int current,
                                          long nowMs, AttemptLimit limit) {
        List<Long> earlierFailures = earlier.stream().filter(AttemptRecord::failed).map(AttemptRecord::endedAtMs).toList();
        if (limit.allowsAnotherAfter(current, earlierFailures, nowMs)) {
            return restart;
        }
        return new RestartDecision.Stop(DriverState.FAILED, restart.reason() + " (attempt " + current + " was the last "
                + "the cluster manager allows: " + limit.describedAs() + ")");
    }

    /** Whether a driver whose batches completed from {@code firstBatchMs} to {@code lastBatchMs} is healthy. */
    public boolean isHealthy(long firstBatchMs, long lastBatchMs) {
        return firstBatchMs >= 0 && lastBatchMs - firstBatchMs >= healthyAfter.toMillis();
    }
}
