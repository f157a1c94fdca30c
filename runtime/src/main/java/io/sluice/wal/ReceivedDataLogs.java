package io.sluice.wal;

import io.sluice.api.Time;
import io.sluice.serde.Serializer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;

/**
 * The received-data write-ahead logs of one application, one per receiver stream, under
 * {@code <checkpointDir>/receivedData/<streamId>}. Opened lazily: the process running a stream's receiver writes
 * its log, the driver only cleans it. Thread-safe.
 */
public final class ReceivedDataLogs implements AutoCloseable {
    /** The logs' parent directory under the checkpoint directory. */
    public static final String DIRECTORY = "receivedData";

    private final String checkpointDir;
    private final Configuration hadoopConf;
    private final WalSettings settings;
    private final Map<Integer, FileSystemWriteAheadLog> logs = new ConcurrentHashMap<>();

    public ReceivedDataLogs(String checkpointDir, Configuration hadoopConf, WalSettings settings) {
        this.checkpointDir = checkpointDir;
        this.hadoopConf = hadoopConf;
        this.settings = settings;
    }

    /** The directory of stream {@code streamId}'s log. */
    public static String directory(String checkpointDir, int streamId) {
        return (checkpointDir.endsWith("/") ? checkpointDir : checkpointDir + "/") + DIRECTORY + "/" + streamId;
    }

    /** The directory of stream {@code streamId}'s log in this application. */
    public String directory(int streamId) {
        return directory(checkpointDir, streamId);
    }

    /**
     * Reads a block's records back from a received-data log, in any process (a task whose block is in no block store
     * any more). Throws as {@link WriteAheadLog#read}, naming the segment.
     */
    public static <T> List<T> readBlock(RecordHandle handle, Configuration hadoopConf, Serializer serializer) {
        ByteBuffer bytes = FileSystemWriteAheadLog.read(handle, hadoopConf);
        var array = new byte[bytes.remaining()];
        bytes.get(array);
        return serializer.deserialize(array);
    }

    /** The log of stream {@code streamId}, opened on first use. */
    public WriteAheadLog log(int streamId) {
        return logs.computeIfAbsent(streamId,
                id -> FileSystemWriteAheadLog.open(directory(checkpointDir, id), hadoopConf, settings));
    }

    /**
     * Deletes the segments of stream {@code streamId} that hold only blocks from before {@code threshold} minus one
     * rolling interval. The extra interval keeps blocks that arrived late, after a batch at or before the threshold
     * had been allocated, and so belong to a later batch.
     */
    public void clean(int streamId, Time threshold) {
        log(streamId).clean(threshold.minus(settings.rollingInterval()));
    }

    @Override
    public void close() {
        logs.values().forEach(FileSystemWriteAheadLog::close);
        logs.clear();
    }
}
