package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.api.function.Function4;
import io.sluice.batch.Dataset;
import io.sluice.batch.PairDataset;
import io.sluice.batch.Partitioner;
import io.sluice.util.Sneaky;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code updateStateByKey}: every batch, the update function runs for every key that has new values or a state —
 * with an empty list for keys without new values, also when the input produced no data at all — and its result
 * becomes the key's state (empty removes the key). Every batch emits the whole state. An initial state seeds the
 * state before the first batch.
 */
public final class StateDStream<K, V, S> extends StatefulDStream<K, S> {
    private final DStream<Pair<K, V>> parent;
    private final Function4<Time, K, List<V>, Optional<S>, Optional<S>> updateFunc;
    private final PairDataset<K, S> initialState;

    public StateDStream(DStream<Pair<K, V>> parent, Function4<Time, K, List<V>, Optional<S>, Optional<S>> updateFunc,
                        Partitioner partitioner, PairDataset<K, S> initialState) {
        super(parent.context(), "updateStateByKey", partitioner);
        this.parent = parent;
        this.updateFunc = updateFunc;
        this.initialState = initialState;
        addClosure("updateStateByKey", updateFunc);
    }

    @Override
    public Duration slideDuration() {
        return parent.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(parent);
    }

    @Override
    protected Step<K, S> step(Time time, boolean first) {
        var inputs = new ArrayList<Dataset<?>>();
        PairDataset<K, ArrayList<V>> grouped = parent.getOrCompute(time).map(this::groupByKey).orElse(null);
        if (grouped != null) {
            inputs.add(grouped);
        }
        PairDataset<K, S> initial = first && initialState != null ? initialState.partitionBy(partitioner()) : null;
        if (initial != null) {
            inputs.add(initial);
        }
        var f = updateFunc;
        return new Step<>(inputs, (tx, partition, ctx) -> {
            if (initial != null) {
                initial.iterate(partition, ctx, kv -> tx.put(kv.key(), kv.value()));
            }
            Map<K, List<V>> newValues = new HashMap<>();
            if (grouped != null) {
                grouped.iterate(partition, ctx, kv -> newValues.put(kv.key(), kv.value()));
            }
            tx.updateEach((k, s) -> {
                List<V> values = newValues.remove(k);
                return call(f, time, k, values == null ? List.of() : values, Optional.of(s)).orElse(null);
            });
            for (var e : newValues.entrySet()) {
                call(f, time, e.getKey(), e.getValue(), Optional.empty()).ifPresent(s -> tx.put(e.getKey(), s));
            }
        });
    }

    private PairDataset<K, ArrayList<V>> groupByKey(Dataset<Pair<K, V>> ds) {
        return PairDataset.of(ds).combineByKey(v -> {
            var list = new ArrayList<V>();
            list.add(v);
            return list;
        }, (list, v) -> {
            list.add(v);
            return list;
        }, (a, b) -> {
            a.addAll(b);
            return a;
        }, partitioner(), false);
    }

    private static <K, V, S> Optional<S> call(Function4<Time, K, List<V>, Optional<S>, Optional<S>> f, Time time, K key,
                                              List<V> values, Optional<S> state) {
        Optional<S> result;
        try {
            result = f.call(time, key, values, state);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (result == null) {
            throw new IllegalStateException("The updateStateByKey function returned null for key " + key
                    + "; return Optional.empty() to remove the key");
        }
        return result;
    }
}
