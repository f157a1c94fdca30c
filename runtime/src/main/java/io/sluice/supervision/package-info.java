/**
 * Driver supervision, written once for every cluster manager: the {@link io.sluice.supervision.DriverRestartPolicy
 * restart policy} (never, on failure, always; capped exponential backoff; a failure budget over a sliding window; a
 * driver that has completed batches for a while is healthy and its failure count starts again), the
 * {@link io.sluice.supervision.DriverOutcome outcome} of one run of a driver and the
 * {@link io.sluice.supervision.DriverExitCode exit codes} that carry it across a process boundary, and the one
 * {@link io.sluice.supervision.DriverState lifecycle} every backend reports through
 * {@link io.sluice.supervision.DriverLifecycle}. Backends hold only mechanism: YARN's ApplicationMaster asks the
 * policy whether YARN should start another attempt; {@link io.sluice.supervision.DriverSupervisor} runs a driver
 * process again and again by it (a child JVM for {@code sluice-submit --supervise} with a local master).
 */
package io.sluice.supervision;
