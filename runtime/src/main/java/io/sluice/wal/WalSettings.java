package io.sluice.wal;

import io.sluice.conf.ConfigKey;
import io.sluice.conf.SluiceConf;
import java.time.Duration;

/**
 * How a write-ahead log rolls and retries.
 *
 * @param rollingInterval the span of record time one segment covers
 * @param maxRetries      retries of a failed write before it fails for good
 * @param retryBackoff    the pause before the first retry, doubling with each further one
 * @param maxRetryBackoff the longest pause between retries
 */
public record WalSettings(Duration rollingInterval, int maxRetries, Duration retryBackoff, Duration maxRetryBackoff) {

    public WalSettings {
        if (rollingInterval.toMillis() <= 0 || maxRetries < 0 || retryBackoff.isNegative()
                || maxRetryBackoff.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException("Invalid write-ahead log settings: rolling interval " + rollingInterval
                    + ", " + maxRetries + " retries, backoff " + retryBackoff + " up to " + maxRetryBackoff);
        }
    }

    /** The settings of the received-data logs, one per receiver stream. */
    public static WalSettings forReceivedData(SluiceConf conf) {
        return from(conf, SluiceConf.RECEIVER_WAL_ROLLING_INTERVAL);
    }

    /** The settings of the driver's block metadata log. */
    public static WalSettings forDriverMetadata(SluiceConf conf) {
        return from(conf, SluiceConf.DRIVER_WAL_ROLLING_INTERVAL);
    }

    private static WalSettings from(SluiceConf conf, ConfigKey<Integer> rollingSecs) {
        Duration backoff = conf.get(SluiceConf.WAL_RETRY_BACKOFF);
        Duration max = conf.get(SluiceConf.WAL_MAX_RETRY_BACKOFF);
        if (max.compareTo(backoff) < 0) {
            throw new IllegalArgumentException(SluiceConf.WAL_MAX_RETRY_BACKOFF.name() + " (" + max.toMillis()
                    + " ms) must be at least " + SluiceConf.WAL_RETRY_BACKOFF.name() + " (" + backoff.toMillis() + " ms)");
        }
        return new WalSettings(Duration.ofSeconds(conf.get(rollingSecs)), conf.get(SluiceConf.WAL_MAX_RETRIES), backoff, max);
    }
}
