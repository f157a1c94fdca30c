package io.sluice.control;

import io.sluice.conf.SluiceConf;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.util.OptionalDouble;

/**
 * Estimates how many records per second an input stream should ingest next, from how the latest batch went: the
 * rate estimator of backpressure ({@code sluice.streaming.backpressure.rateEstimator}). One estimator serves one
 * input stream and is called after each completed batch, one call at a time, with non-decreasing batch times.
 *
 * <p>A custom estimator is a public class implementing this interface with a public constructor taking
 * {@code (SluiceConf, Duration batchInterval)}, or none; name it in the configuration. {@link PidRateEstimator} is
 * the default.
 */
public interface RateEstimator extends Serializable {

    /**
     * The rate the stream should ingest at, in records per second, given the latest completed batch; empty when
     * there is nothing to say yet (the rate limit then stays as it is).
     *
     * @param time            the batch time, in milliseconds
     * @param elements        the records the stream contributed to the batch
     * @param processingDelay how long the batch's output operations took, in milliseconds
     * @param schedulingDelay how long the batch waited between its submission and the start of its processing, in
     *                        milliseconds
     */
    OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay);

    /** The configuration value naming the built-in {@link PidRateEstimator}. */
    String PID = "pid";

    /**
     * The estimator {@code sluice.streaming.backpressure.rateEstimator} names, built for a stream with batches every
     * {@code batchInterval}.
     *
     * @throws IllegalArgumentException if the configuration is invalid or names a class that is not a usable
     *                                  {@code RateEstimator}; the message names the key and the value
     */
    static RateEstimator create(SluiceConf conf, Duration batchInterval) {
        String name = conf.get(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR).trim();
        if (name.equalsIgnoreCase(PID)) {
            return PidRateEstimator.fromConf(conf, batchInterval);
        }
        String key = SluiceConf.BACKPRESSURE_RATE_ESTIMATOR.name();
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(name, true, loader != null ? loader : RateEstimator.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(key + ": class '" + name + "' not found on the driver's classpath "
                    + "(expected '" + PID + "' or the name of a class implementing " + RateEstimator.class.getName() + ")", e);
        }
        if (!RateEstimator.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(key + ": class '" + name + "' does not implement "
                    + RateEstimator.class.getName());
        }
        try {
            try {
                Constructor<?> c = type.getConstructor(SluiceConf.class, Duration.class);
                return (RateEstimator) c.newInstance(conf, batchInterval);
            } catch (NoSuchMethodException e) {
                return (RateEstimator) type.getConstructor().newInstance();
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(key + ": class '" + name + "' needs a public constructor taking "
                    + "(SluiceConf, java.time.Duration) or no arguments", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(key + ": the constructor of '" + name + "' failed: " + e.getCause(),
                    e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(key + ": cannot instantiate '" + name + "': " + e, e);
        }
    }
}
