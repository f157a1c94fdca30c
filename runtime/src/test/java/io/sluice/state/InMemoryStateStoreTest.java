package io.sluice.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {
    private static final Time ZERO = new Time(0);

    private static Time t(long seconds) {
        return new Time(seconds * 1000);
    }

    private static Map<String, Integer> read(StateStore<String, Integer> store, int partition, Time version) {
        var map = new HashMap<String, Integer>();
        store.snapshot(partition, version, (k, e) -> map.put(k, e.value()));
        return map;
    }

    private static InMemoryStateStore<String, Integer> storeWithThreeVersions() {
        var store = new InMemoryStateStore<String, Integer>("op", 1, ZERO, false);
        store.commitVersion(0, ZERO, t(1), tx -> {
            tx.put("a", 1);
            tx.put("b", 1);
        });
        store.commitVersion(0, t(1), t(2), tx -> {
            tx.put("a", 2);
            tx.remove("b");
            tx.put("c", 2);
        });
        store.commitVersion(0, t(2), t(3), tx -> {
            tx.put("b", 3);
            tx.put("a", 3);
            tx.put("a", 33);
        });
        return store;
    }

    @Test
    void everyRetainedVersionReadsAsItWasCommitted() {
        var store = storeWithThreeVersions();
        assertThat(store.latestVersion(0)).isEqualTo(t(3));
        assertThat(read(store, 0, ZERO)).isEmpty();
        assertThat(read(store, 0, t(1))).isEqualTo(Map.of("a", 1, "b", 1));
        assertThat(read(store, 0, t(2))).isEqualTo(Map.of("a", 2, "c", 2));
        assertThat(read(store, 0, t(3))).isEqualTo(Map.of("a", 33, "b", 3, "c", 2));
        assertThat(store.size()).isEqualTo(3);
    }

    @Test
    void aVersionIsWrittenOnlyOnce() {
        var store = storeWithThreeVersions();
        assertThat(store.commitVersion(0, t(1), t(2), tx -> tx.put("x", 0))).isFalse();
        assertThat(read(store, 0, t(3))).doesNotContainKey("x");
    }

    @Test
    void aVersionMustBeWrittenOnTopOfTheLatest() {
        var store = storeWithThreeVersions();
        assertThatThrownBy(() -> store.commitVersion(0, t(2), t(4), tx -> tx.put("x", 0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot write version 4000 ms of partition 0 of the state of 'op' on top of version 2000 ms: "
                        + "its latest version is 3000 ms");
    }

    @Test
    void aFailedUpdateLeavesNoTrace() {
        var store = storeWithThreeVersions();
        assertThatThrownBy(() -> store.commitVersion(0, t(3), t(4), tx -> {
            tx.put("a", 4);
            tx.remove("c");
            tx.put("new", 4);
            tx.updateEach((k, v) -> v + 100);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(store.latestVersion(0)).isEqualTo(t(3));
        assertThat(read(store, 0, t(3))).isEqualTo(Map.of("a", 33, "b", 3, "c", 2));
        assertThat(read(store, 0, t(2))).isEqualTo(Map.of("a", 2, "c", 2));
        assertThat(store.commitVersion(0, t(3), t(4), tx -> tx.put("d", 4))).isTrue();
        assertThat(read(store, 0, t(4))).isEqualTo(Map.of("a", 33, "b", 3, "c", 2, "d", 4));
    }

    @Test
    void updateEachReplacesOrRemovesEveryKey() {
        var store = storeWithThreeVersions();
        store.commitVersion(0, t(3), t(4), tx -> tx.updateEach((k, v) -> k.equals("b") ? null : v * 10));
        assertThat(read(store, 0, t(4))).isEqualTo(Map.of("a", 330, "c", 20));
        assertThat(read(store, 0, t(3))).isEqualTo(Map.of("a", 33, "b", 3, "c", 2));
    }

    @Test
    void forgottenVersionsCanNoLongerBeRead() {
        var store = storeWithThreeVersions();
        store.forgetUpTo(t(1));
        assertThat(store.retainedVersions(0)).isEqualTo(1);
        assertThat(read(store, 0, t(2))).isEqualTo(Map.of("a", 2, "c", 2));
        assertThatThrownBy(() -> read(store, 0, t(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Version 1000 ms of partition 0 of the state of 'op' is no longer retained "
                        + "(oldest readable version: 2000 ms)");
        store.forgetUpTo(t(3));
        assertThat(read(store, 0, t(3))).isEqualTo(Map.of("a", 33, "b", 3, "c", 2));
        assertThatThrownBy(() -> read(store, 0, t(5))).hasMessageContaining("has not been written yet");
    }

    @Test
    void idleKeysAreThoseNotUpdatedSinceTheThreshold() {
        var store = new InMemoryStateStore<String, Integer>("op", 1, ZERO, true);
        store.commitVersion(0, ZERO, t(1), tx -> {
            tx.put("a", 1);
            tx.put("b", 1);
            tx.put("c", 1);
        });
        store.commitVersion(0, t(1), t(2), tx -> {
            tx.put("b", 2);
            tx.put("b", 22);
        });
        var polled = new ArrayList<String>();
        store.commitVersion(0, t(2), t(3), tx -> {
            polled.addAll(tx.pollIdleKeys(t(2)));
            tx.remove("a");
            tx.put("c", 3);
        });
        assertThat(polled).containsExactlyInAnyOrder("a", "c");
        var later = new ArrayList<String>();
        store.commitVersion(0, t(3), t(4), tx -> later.addAll(tx.pollIdleKeys(t(3))));
        // a was removed, c updated at 3 s is not before the threshold; b (2 s) is listed once despite two puts
        assertThat(later).containsExactly("b");
    }

    @Test
    void partitionsAreWrittenConcurrently() throws Exception {
        var store = new InMemoryStateStore<Integer, Integer>("op", 4, ZERO, false);
        var pool = Executors.newFixedThreadPool(4);
        try {
            for (int v = 1; v <= 20; v++) {
                var base = new Time((v - 1) * 1000L);
                var version = new Time(v * 1000L);
                var futures = new ArrayList<Future<Boolean>>();
                for (int p = 0; p < 4; p++) {
                    int partition = p;
                    futures.add(pool.submit(() -> store.commitVersion(partition,
                            version.equals(t(1)) ? ZERO : base, version, tx -> {
                                for (int k = partition; k < 4000; k += 4) {
                                    var e = tx.get(k);
                                    tx.put(k, e == null ? 1 : e.value() + 1);
                                }
                            })));
                }
                for (var f : futures) {
                    assertThat(f.get()).isTrue();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.size()).isEqualTo(4000);
        for (int p = 0; p < 4; p++) {
            store.snapshot(p, t(20), (k, e) -> assertThat(e.value()).isEqualTo(20));
        }
    }
}
