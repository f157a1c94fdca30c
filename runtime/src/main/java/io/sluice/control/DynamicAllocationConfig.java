package io.sluice.control;

import io.sluice.conf.SluiceConf;
import java.time.Duration;

/**
 * The {@code sluice.dynamicAllocation.*} settings, read and checked once when the driver starts. Each key's own
 * range is checked by {@link SluiceConf}; this record adds the rules that involve several keys:
 * {@code minExecutors ≤ initialExecutors ≤ maxExecutors} and {@code scaleDownRatio < scaleUpRatio}.
 *
 * @param initialExecutors the executors asked for at start; {@link SluiceConf#DYN_ALLOC_INITIAL} {@code -1} has
 *                         already been replaced by {@code minExecutors}
 */
public record DynamicAllocationConfig(boolean enabled, int minExecutors, int maxExecutors, int initialExecutors,
                                      Duration scalingInterval, double scaleUpRatio, double scaleDownRatio,
                                      int scaleDownStep, int backlogDrainIntervals) {

    public DynamicAllocationConfig {
        if (minExecutors < 0 || minExecutors > initialExecutors || initialExecutors > maxExecutors) {
            throw new IllegalArgumentException("Dynamic allocation needs minExecutors <= initialExecutors <= "
                    + "maxExecutors, got " + SluiceConf.DYN_ALLOC_MIN.name() + "=" + minExecutors + ", "
                    + SluiceConf.DYN_ALLOC_INITIAL.name() + "=" + initialExecutors + " (unset means the minimum), "
                    + SluiceConf.DYN_ALLOC_MAX.name() + "=" + maxExecutors + "; change them so the three are in order");
        }
        if (!(scaleDownRatio < scaleUpRatio) || !(scaleUpRatio > 0 && scaleUpRatio <= 1) || !(scaleDownRatio > 0)) {
            throw new IllegalArgumentException("Dynamic allocation needs 0 < " + SluiceConf.DYN_ALLOC_DOWN_RATIO.name()
                    + " < " + SluiceConf.DYN_ALLOC_UP_RATIO.name() + " <= 1, got " + scaleDownRatio + " and "
                    + scaleUpRatio + "; the gap between them is what keeps the executor count from oscillating");
        }
        if (scalingInterval.isNegative() || scalingInterval.isZero()) {
            throw new IllegalArgumentException(SluiceConf.DYN_ALLOC_INTERVAL.name() + ": expected > 0, got " + scalingInterval);
        }
        if (scaleDownStep < 1 || backlogDrainIntervals < 1) {
            throw new IllegalArgumentException(SluiceConf.DYN_ALLOC_DOWN_STEP.name() + " and "
                    + SluiceConf.DYN_ALLOC_DRAIN_INTERVALS.name() + ": expected >= 1, got " + scaleDownStep + " and "
                    + backlogDrainIntervals);
        }
    }

    /**
     * Reads the settings from {@code conf}; an unset (or {@code -1}) initial count means the minimum. Throws
     * {@link IllegalArgumentException} naming the keys when a value or a combination is invalid, so a bad
     * configuration stops the driver at start.
     */
    public static DynamicAllocationConfig from(SluiceConf conf) {
        int min = conf.get(SluiceConf.DYN_ALLOC_MIN);
        int initial = conf.get(SluiceConf.DYN_ALLOC_INITIAL);
        return new DynamicAllocationConfig(conf.get(SluiceConf.DYN_ALLOC_ENABLED), min,
                conf.get(SluiceConf.DYN_ALLOC_MAX), initial < 0 ? min : initial,
                conf.get(SluiceConf.DYN_ALLOC_INTERVAL), conf.get(SluiceConf.DYN_ALLOC_UP_RATIO),
                conf.get(SluiceConf.DYN_ALLOC_DOWN_RATIO), conf.get(SluiceConf.DYN_ALLOC_DOWN_STEP),
                conf.get(SluiceConf.DYN_ALLOC_DRAIN_INTERVALS));
    }
}
