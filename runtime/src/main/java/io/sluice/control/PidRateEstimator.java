package io.sluice.control;

import io.sluice.conf.SluiceConf;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * The default {@link RateEstimator}: a PID controller on the ingestion rate, with Spark's semantics.
 *
 * <p>For a batch with {@code elements > 0}, {@code processingDelay > 0} and a time after the previous one:
 * <pre>
 *   processingRate  = elements / processingDelay × 1000                          (records/s the job managed)
 *   error           = latestRate − processingRate                               (proportional term)
 *   historicalError = schedulingDelay × processingRate / batchInterval         (integral term: the backlog, as a rate)
 *   dError          = (error − latestError) / ((time − latestTime) / 1000)       (derivative term)
 *   newRate         = max(latestRate − proportional × error − integral × historicalError − derivative × dError, minRate)
 * </pre>
 * The first such batch only records {@code latestRate = processingRate} (and {@code latestError = 0}) and estimates
 * nothing; each later one returns {@code newRate} and remembers it with its error. Other batches (no records, no
 * processing time, or not later than the last) change nothing and estimate nothing.
 *
 * <p>Weights: proportional 1.0, integral 0.2, derivative 0.0 by default (a PI controller: ingest what the job last
 * processed, minus a fifth of the backlog per batch); {@code minRate} 100 records/s keeps a stream from stopping.
 * Thread-safe.
 */
public final class PidRateEstimator implements RateEstimator {
    private static final long serialVersionUID = 1L;

    private final long batchIntervalMillis;
    private final double proportional;
    private final double integral;
    private final double derivative;
    private final double minRate;

    private boolean firstRun = true;
    private long latestTime = -1;
    private double latestRate = -1;
    private double latestError = -1;

    /**
     * @throws IllegalArgumentException for a batch interval that is not positive, a negative weight or a minimum
     *                                  rate that is not positive, naming the configuration key
     */
    public PidRateEstimator(long batchIntervalMillis, double proportional, double integral, double derivative,
                            double minRate) {
        require(batchIntervalMillis > 0, "batch interval", "> 0 ms", batchIntervalMillis);
        require(proportional >= 0, SluiceConf.BACKPRESSURE_PID_PROPORTIONAL.name(), ">= 0", proportional);
        require(integral >= 0, SluiceConf.BACKPRESSURE_PID_INTEGRAL.name(), ">= 0", integral);
        require(derivative >= 0, SluiceConf.BACKPRESSURE_PID_DERIVATIVE.name(), ">= 0", derivative);
        require(minRate > 0, SluiceConf.BACKPRESSURE_PID_MIN_RATE.name(), "> 0", minRate);
        this.batchIntervalMillis = batchIntervalMillis;
        this.proportional = proportional;
        this.integral = integral;
        this.derivative = derivative;
        this.minRate = minRate;
    }

    /** The estimator the {@code sluice.streaming.backpressure.pid.*} keys describe. */
    public static PidRateEstimator fromConf(SluiceConf conf, Duration batchInterval) {
        return new PidRateEstimator(batchInterval.toMillis(), conf.get(SluiceConf.BACKPRESSURE_PID_PROPORTIONAL),
                conf.get(SluiceConf.BACKPRESSURE_PID_INTEGRAL), conf.get(SluiceConf.BACKPRESSURE_PID_DERIVATIVE),
                conf.get(SluiceConf.BACKPRESSURE_PID_MIN_RATE));
    }

    private static void require(boolean ok, String what, String expected, Object got) {
        if (!ok) {
            throw new IllegalArgumentException(what + ": expected " + expected + ", got " + got);
        }
    }

    @Override
    public synchronized OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay) {
        if (time <= latestTime || elements <= 0 || processingDelay <= 0) {
            return OptionalDouble.empty();
        }
        double delaySinceUpdate = (time - latestTime) / 1000.0;
        double processingRate = elements / (double) processingDelay * 1000;
        double error = latestRate - processingRate;
        double historicalError = schedulingDelay * processingRate / batchIntervalMillis;
        double dError = (error - latestError) / delaySinceUpdate;
        double newRate = Math.max(latestRate - proportional * error - integral * historicalError - derivative * dError,
                minRate);
        latestTime = time;
        if (firstRun) {
            latestRate = processingRate;
            latestError = 0;
            firstRun = false;
            return OptionalDouble.empty();
        }
        latestRate = newRate;
        latestError = error;
        return OptionalDouble.of(newRate);
    }

    @Override
    public String toString() {
        return "PidRateEstimator[batchInterval=" + batchIntervalMillis + " ms, proportional=" + proportional
                + ", integral=" + integral + ", derivative=" + derivative + ", minRate=" + minRate + "]";
    }
}
