package io.sluice.batch;

import io.sluice.cluster.ExecutorId;
import io.sluice.conf.HadoopConfigurations;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutionEnv;
import io.sluice.serde.KryoSerializer;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputWriter;
import io.sluice.shuffle.ShuffleReader;
import io.sluice.shuffle.ShuffleStore;
import io.sluice.state.StateRegistry;
import io.sluice.storage.BlockStore;
import org.apache.hadoop.conf.Configuration;

/**
 * The environment of tasks run by the driver's own threads (local mode): the driver's in-memory stores, with map
 * outputs kept as objects, so nothing is copied or serialized. The Hadoop configuration and the serializer are
 * built on first use.
 */
final class DriverEnv implements ExecutionEnv {
    /** The location map statuses name for outputs kept by the driver. */
    static final ExecutorId DRIVER = new ExecutorId("driver");

    private final SluiceConf conf;
    private final BlockStore blockStore = new BlockStore();
    private final ShuffleStore shuffleStore = new ShuffleStore(DRIVER);
    private final StateRegistry stateRegistry = new StateRegistry();
    private volatile Configuration hadoopConf;
    private volatile Serializer serializer;

    DriverEnv(SluiceConf conf) {
        this.conf = conf;
    }

    @Override
    public BlockStore blockStore() {
        return blockStore;
    }

    ShuffleStore shuffleStore() {
        return shuffleStore;
    }

    @Override
    public ShuffleReader shuffleReader() {
        return shuffleStore;
    }

    @Override
    public MapOutputWriter mapOutputWriter() {
        return shuffleStore;
    }

    @Override
    public StateRegistry stateStores() {
        return stateRegistry;
    }

    @Override
    public Configuration hadoopConf() {
        Configuration c = hadoopConf;
        if (c == null) {
            synchronized (this) {
                if (hadoopConf == null) {
                    hadoopConf = HadoopConfigurations.from(conf);
                }
                c = hadoopConf;
            }
        }
        return c;
    }

    @Override
    public Serializer serializer() {
        Serializer s = serializer;
        if (s == null) {
            synchronized (this) {
                if (serializer == null) {
                    serializer = new KryoSerializer(conf);
                }
                s = serializer;
            }
        }
        return s;
    }
}
