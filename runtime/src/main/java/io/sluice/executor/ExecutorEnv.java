package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import io.sluice.conf.HadoopConfigurations;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.FetchingShuffleReader;
import io.sluice.shuffle.LocalFirstBlockFetcher;
import io.sluice.shuffle.MapOutputLocations;
import io.sluice.shuffle.ShuffleBlockFetcher;
import io.sluice.shuffle.ShuffleBlockStore;
import io.sluice.shuffle.ShuffleReader;
import io.sluice.state.StateRegistry;
import io.sluice.storage.BlockStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The environment of the tasks an executor runs: its own block store (serialized blocks in memory up to
 * {@code sluice.storage.memoryBytes}, then files in {@code <scratch>/blocks}) and state registry, map outputs serialized
 * into a {@link ShuffleBlockStore} (memory up to {@code sluice.shuffle.memoryBytes}, then files in a scratch
 * directory under {@code sluice.local.dir}), and a shuffle reader that finds map outputs through
 * {@code locations} and reads them from this executor's store or, through {@code remoteFetcher}, another's.
 * {@link #close()} deletes the scratch directory.
 */
public final class ExecutorEnv implements ExecutionEnv, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ExecutorEnv.class);

    private final ExecutorId id;
    private final Serializer serializer;
    private final Configuration hadoopConf;
    private final BlockStore blockStore;
    private final StateRegistry stateRegistry = new StateRegistry();
    private final Path scratchDir;
    private final ShuffleBlockStore shuffleBlocks;
    private final ShuffleReader shuffleReader;
    private volatile java.util.function.BiFunction<String, java.util.List<String>, java.util.List<?>> remoteBlocks;

    /**
     * @param locations     where map outputs are (the driver's tracker, asked through the transport)
     * @param remoteFetcher fetches blocks held by other executors
     */
    public ExecutorEnv(ExecutorId id, SluiceConf conf, MapOutputLocations locations,
                       ShuffleBlockFetcher remoteFetcher) {
        this.id = id;
        this.serializer = new KryoSerializer(conf);
        this.hadoopConf = HadoopConfigurations.from(conf);
        String localDir = conf.get(SluiceConf.LOCAL_DIR);
        Path base = Path.of(localDir.isBlank() ? System.getProperty("java.io.tmpdir") : localDir);
        try {
            Files.createDirectories(base);
            this.scratchDir = Files.createTempDirectory(base, "sluice-" + id + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Executor " + id + " cannot create its scratch directory under " + base
                    + " (" + SluiceConf.LOCAL_DIR.name() + "): " + e.getMessage(), e);
        }
        this.shuffleBlocks = new ShuffleBlockStore(id, serializer, conf.get(SluiceConf.SHUFFLE_MEMORY_BYTES), scratchDir);
        this.blockStore = new BlockStore(serializer, conf.get(SluiceConf.STORAGE_MEMORY_BYTES), scratchDir.resolve("blocks"));
        this.shuffleReader = new FetchingShuffleReader(locations,
                new LocalFirstBlockFetcher(id, shuffleBlocks, remoteFetcher), serializer);
    }

    public ExecutorId id() {
        return id;
    }

    /** This executor's map outputs: served to remote reducers by the transport, released when the driver says. */
    public ShuffleBlockStore shuffleBlocks() {
        return shuffleBlocks;
    }

    /** Where the driver places the state this executor hosts. */
    @Override
    public StateRegistry stateStores() {
        return stateRegistry;
    }

    @Override
    public BlockStore blockStore() {
        return blockStore;
    }

    @Override
    public ShuffleReader shuffleReader() {
        return shuffleReader;
    }

    @Override
    public ShuffleBlockStore mapOutputWriter() {
        return shuffleBlocks;
    }

    @Override
    public Configuration hadoopConf() {
        return hadoopConf;
    }

    @Override
    public Serializer serializer() {
        return serializer;
    }

    /**
     * Where {@link #fetchBlock} reads blocks of other executors: given a block id and the addresses holding it,
     * the records or null. Set once by the executor's services when they start.
     */
    public void setRemoteBlocks(java.util.function.BiFunction<String, java.util.List<String>, java.util.List<?>> fetcher) {
        this.remoteBlocks = fetcher;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> java.util.List<T> fetchBlock(String blockId, java.util.List<String> locations) {
        var fetcher = remoteBlocks;
        return fetcher == null ? null : (java.util.List<T>) fetcher.apply(blockId, locations);
    }

    /** The directory holding this executor's scratch files. */
    public Path scratchDir() {
        return scratchDir;
    }

    /** Drops every map output and deletes the scratch directory. */
    @Override
    public void close() {
        shuffleBlocks.close();
        try (Stream<Path> files = Files.walk(scratchDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("Could not delete {}", p, e);
                }
            });
        } catch (IOException e) {
            LOG.warn("Could not delete the scratch directory {} of executor {}", scratchDir, id, e);
        }
    }
}
