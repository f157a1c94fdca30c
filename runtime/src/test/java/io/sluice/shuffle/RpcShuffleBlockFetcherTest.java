package io.sluice.shuffle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.TaskMessages.ShuffleStreams;
import io.sluice.rpc.TransportContext;
import io.sluice.serde.KryoSerializer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shuffle blocks served from one process's {@link ShuffleBlockStore} as a stream ({@link ShuffleBlockChannel}) and
 * read by another's {@link RpcShuffleBlockFetcher} over loopback RPC, with chunks much smaller than the blocks.
 */
class RpcShuffleBlockFetcherTest {
    private static final ExecutorId HOLDER = new ExecutorId("holder");
    private static final ExecutorId UNKNOWN = new ExecutorId("nowhere");

    @TempDir
    Path dir;

    private final SluiceConf conf = new SluiceConf(false)
            .set(SluiceConf.RPC_STREAM_CHUNK_BYTES, 1024)
            .set(SluiceConf.RPC_IO_THREADS, 1)
            .set(SluiceConf.RPC_DISPATCHER_THREADS, 2);
    private final KryoSerializer serializer = new KryoSerializer(conf);
    private TransportContext server;
    private TransportContext client;
    private ShuffleBlockStore store;
    private RpcShuffleBlockFetcher fetcher;

    @BeforeEach
    void start() {
        // 3000 bytes of memory: map 0 stays in memory, map 1 is written to a file
        store = new ShuffleBlockStore(HOLDER, serializer, 3000, dir);
        server = new TransportContext(conf);
        InetSocketAddress address = server.startServer("127.0.0.1", 0).address();
        server.dispatcher().setStreamProvider(id -> {
            int[] p = ShuffleStreams.parse(id);
            return new ShuffleBlockChannel(store.blocks(p[0], p[1], Arrays.copyOfRange(p, 2, p.length)));
        });
        client = new TransportContext(conf);
        fetcher = new RpcShuffleBlockFetcher(client.clientFactory(), id -> id.equals(HOLDER) ? address : null,
                Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        store.close();
    }

    private static List<Pair<String, Integer>> bucket(String prefix, int n) {
        var list = new ArrayList<Pair<String, Integer>>();
        for (int i = 0; i < n; i++) {
            list.add(Pair.of(prefix + i, i));
        }
        return list;
    }

    @Test
    void blocksLargerThanAChunkArriveWholeAndInMapOrder() {
        store.write(4, 0, new Object[] {bucket("a", 300), bucket("b", 1)});
        store.write(4, 1, new Object[] {bucket("c", 200), bucket("d", 2)});
        assertThat(store.files(4)).hasSize(1);

        List<Object> reduce0 = new ArrayList<>();
        fetcher.fetch(HOLDER, 4, 0, new int[] {1, 0}).forEachRemaining(b -> reduce0.add(serializer.deserialize(b)));
        assertThat(reduce0).containsExactly(bucket("c", 200), bucket("a", 300));

        List<Object> reduce1 = new ArrayList<>();
        fetcher.fetch(HOLDER, 4, 1, new int[] {0, 1}).forEachRemaining(b -> reduce1.add(serializer.deserialize(b)));
        assertThat(reduce1).containsExactly(bucket("b", 1), bucket("d", 2));
    }

    @Test
    void aMissingOutputIsAFetchFailureNamingTheMapAndTheHolder() {
        store.write(5, 0, new Object[] {bucket("a", 3)});
        Iterator<byte[]> blocks = fetcher.fetch(HOLDER, 5, 0, new int[] {0, 1});
        assertThat((Object) serializer.deserialize(blocks.next())).isEqualTo(bucket("a", 3));
        assertThatThrownBy(blocks::next).isInstanceOfSatisfying(ShuffleFetchException.class, e -> {
            assertThat(e.location()).isEqualTo(HOLDER);
            assertThat(e.shuffleId()).isEqualTo(5);
            assertThat(e.mapId()).isEqualTo(1);
            assertThat(e.getMessage()).contains("shuffle_5_1_0").contains("no output of that map");
        });
    }

    @Test
    void anUnknownLocationIsAFetchFailure() {
        assertThatThrownBy(() -> fetcher.fetch(UNKNOWN, 1, 0, new int[] {2}).next())
                .isInstanceOf(ShuffleFetchException.class)
                .hasMessageContaining("shuffle_1_2_0 from nowhere")
                .hasMessageContaining("not known");
    }
}
