package io.sluice.wal;

import io.sluice.conf.SluiceConf;
import io.sluice.serde.Serializer;
import io.sluice.util.Clock;
import org.apache.hadoop.conf.Configuration;

/**
 * The write-ahead logs the driver's {@link io.sluice.receiver.ReceiverTracker} keeps: the block metadata log (when
 * the application has a checkpoint directory) and the received-data logs (when
 * {@code sluice.streaming.receiver.writeAheadLog.enable} is also on). Either may be null.
 *
 * @param serializer writes block records into the received-data logs (the application's serializer)
 */
public record ReceiverWal(ReceivedBlockMetadataLog metadata, ReceivedDataLogs data, Serializer serializer)
        implements AutoCloseable {
    /** No logs: received blocks live only in block stores. */
    public static final ReceiverWal NONE = new ReceiverWal(null, null, null);

    public ReceiverWal {
        if (data != null && serializer == null) {
            throw new IllegalArgumentException("Received-data logs need a serializer for the block records");
        }
    }

    /**
     * The logs an application needs: none without a checkpoint directory; the metadata log with one; and the
     * received-data logs too when {@link SluiceConf#RECEIVER_WAL_ENABLE} is on.
     *
     * @throws IllegalArgumentException when the received-data log is enabled without a checkpoint directory
     */
    public static ReceiverWal open(SluiceConf conf, String checkpointDir, Configuration hadoopConf, Serializer serializer,
                                   Clock clock) {
        requireCheckpointDirIfEnabled(conf, checkpointDir);
        if (checkpointDir == null) {
            return NONE;
        }
        var metadata = ReceivedBlockMetadataLog.open(checkpointDir, hadoopConf, WalSettings.forDriverMetadata(conf), clock);
        var data = conf.get(SluiceConf.RECEIVER_WAL_ENABLE)
                ? new ReceivedDataLogs(checkpointDir, hadoopConf, WalSettings.forReceivedData(conf)) : null;
        return new ReceiverWal(metadata, data, serializer);
    }

    /** The check made when a streaming context starts, so a misconfiguration fails before any data is accepted. */
    public static void requireCheckpointDirIfEnabled(SluiceConf conf, String checkpointDir) {
        if (conf.get(SluiceConf.RECEIVER_WAL_ENABLE) && checkpointDir == null) {
            throw new IllegalArgumentException(SluiceConf.RECEIVER_WAL_ENABLE.name() + " is true, but no checkpoint "
                    + "directory is set: the write-ahead logs live under it. Call StreamingContext.checkpoint(dir) with "
                    + "a directory on a reliable file system (such as HDFS), or set " + SluiceConf.RECEIVER_WAL_ENABLE.name()
                    + "=false.");
        }
    }

    @Override
    public void close() {
        if (data != null) {
            data.close();
        }
        if (metadata != null) {
            metadata.close();
        }
    }
}
