package io.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A version of the state read after its store forgot it (a late reader, or a host that restored a newer saved copy):
 * with the lineage kept (state on executors) it is rebuilt aside from the lineage, and the store, whose newer versions
 * pending batches read, is left as it was.
 */
class StateDatasetTest {
    private static final StoreSpec SPEC = new StoreSpec("counts", 2, new Time(0), false);
    private SluiceContext sc;
    private InMemoryStateStore<String, Integer> store;

    @BeforeEach
    void start() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("state-dataset"));
        store = SPEC.newStore();
        sc.stateRegistry().register(SPEC, store);
    }

    @AfterEach
    void stop() {
        sc.close();
    }

    /** Versions 1, 2 and 3 s, each counting the words of its batch on top of the one before. */
    private List<StateDataset<String, Integer>> versions(boolean keepLineage) {
        var versions = new ArrayList<StateDataset<String, Integer>>();
        StateDataset<String, Integer> previous = null;
        for (int k = 1; k <= 3; k++) {
            var words = new ArrayList<Pair<String, Integer>>();
            for (int i = 0; i < k; i++) {
                words.add(Pair.of("w" + i, 1));
            }
            // partitioned like the state, as a stateful stream's inputs are
            Dataset<Pair<String, Integer>> in = sc.parallelizePairs(words, 2).partitionBy(new HashPartitioner(2));
            StateDataset.PartitionUpdate<String, Integer> update = (tx, partition, ctx) ->
                    in.iterate(partition, ctx, w -> {
                        StateEntry<Integer> e = tx.get(w.key());
                        tx.put(w.key(), (e == null ? 0 : e.value()) + w.value());
                    });
            previous = new StateDataset<>(sc, "test", SPEC, new HashPartitioner(2), new Time((k - 1) * 1000L),
                    new Time(k * 1000L), List.of(in), update, previous, null, keepLineage);
            versions.add(previous);
        }
        return versions;
    }

    private static Map<String, Integer> read(Dataset<Pair<String, Integer>> ds) {
        var result = new TreeMap<String, Integer>();
        ds.collect().forEach(p -> result.put(p.key(), p.value()));
        return result;
    }

    @Test
    void aVersionTheStoreForgotIsRebuiltAsideFromTheLineage() {
        var versions = versions(true);
        assertThat(read(versions.get(2))).isEqualTo(Map.of("w0", 3, "w1", 2, "w2", 1));
        store.forgetUpTo(new Time(2000)); // version 2 s is no longer readable in the store

        assertThat(read(versions.get(1))).isEqualTo(Map.of("w0", 2, "w1", 1));
        assertThat(store.latestVersion(0)).as("the store keeps its newer versions").isEqualTo(new Time(3000));
        assertThat(store.latestVersion(1)).isEqualTo(new Time(3000));
        assertThat(read(versions.get(2))).isEqualTo(Map.of("w0", 3, "w1", 2, "w2", 1));
    }

    @Test
    void withoutLineageAForgottenVersionCannotBeRead() {
        var versions = versions(false);
        read(versions.get(2));
        store.forgetUpTo(new Time(2000));
        assertThatThrownBy(() -> read(versions.get(1))).hasMessageContaining("is no longer retained");
    }
}
