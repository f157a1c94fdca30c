package io.sluice.executor;

import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputWriter;
import io.sluice.shuffle.ShuffleReader;
import io.sluice.state.StateStores;
import io.sluice.storage.BlockStore;
import org.apache.hadoop.conf.Configuration;

/**
 * The services of the process a task runs in, reached through {@link io.sluice.batch.TaskContext#env()}. Everything a
 * dataset's {@code compute} needs besides its own fields comes from here, never from the driver's
 * {@link io.sluice.batch.SluiceContext}, which exists only on the driver. The driver provides an environment over its
 * in-memory stores for local mode; an executor provides {@link ExecutorEnv}. Implementations are thread-safe: the
 * tasks of one process share it.
 */
public interface ExecutionEnv {

    /** Persisted dataset partitions and received blocks kept by this process. */
    BlockStore blockStore();

    /** Reads the map outputs of a shuffle for one reduce partition, wherever they are. */
    ShuffleReader shuffleReader();

    /** Keeps the outputs of the map tasks run in this process. */
    MapOutputWriter mapOutputWriter();

    /** The state of the stateful operators whose partitions this process hosts, by operator id. */
    StateStores stateStores();

    /** The Hadoop configuration for file sources and outputs ({@code sluice.hadoop.X} keys become {@code X}). */
    Configuration hadoopConf();

    /** The application's serializer (Kryo, with its registrators). */
    Serializer serializer();

    /**
     * The records of a block this process does not hold, read from one of the processes at {@code locations}
     * ({@code host:port} RPC addresses of executors holding a copy, tried in order); null if none of them has it
     * (or, in a process that reads no remote blocks, always).
     */
    default <T> java.util.List<T> fetchBlock(String blockId, java.util.List<String> locations) {
        return null;
    }
}
