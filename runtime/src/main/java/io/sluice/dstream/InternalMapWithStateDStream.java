package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.Time;
import io.sluice.api.function.Function4;
import io.sluice.batch.Dataset;
import io.sluice.batch.PairDataset;
import io.sluice.batch.Partitioner;
import io.sluice.state.MappedRecords;
import io.sluice.state.StateEntry;
import io.sluice.state.StateImpl;
import io.sluice.util.Sneaky;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state behind a {@link MapWithStateDStream}: each batch calls the mapping function once per record of the
 * batch (touching only those keys), then once for each key idle longer than the timeout, which is then removed.
 * What the calls return is kept in {@link MappedRecords} for the mapped stream; the datasets of this stream are
 * the state snapshots.
 */
final class InternalMapWithStateDStream<K, V, S, U> extends StatefulDStream<K, S> {
    private final DStream<Pair<K, V>> parent;
    private final StateSpec<K, V, S, U> spec;
    private final MapWithStateDStream<K, V, S, U> owner;
    private final transient MappedRecords<U> records;

    InternalMapWithStateDStream(DStream<Pair<K, V>> parent, StateSpec<K, V, S, U> spec, Partitioner partitioner,
                                MapWithStateDStream<K, V, S, U> owner) {
        super(parent.context(), "mapWithState", partitioner);
        this.parent = parent;
        this.spec = spec;
        this.owner = owner;
        this.records = new MappedRecords<>(partitioner.numPartitions());
        addClosure("mapWithState", spec.getFunction());
    }

    @Override
    public void initialize(Time zero) {
        super.initialize(zero);
        // tasks find the records by operator id in their environment
        context().context().stateRegistry().registerMappedRecords(storeSpec().key(), records);
    }

    /** Named after the user-facing stream, which is the one an application can name. */
    @Override
    public String operatorId() {
        return owner.userName().orElse(owner.opName() + "-" + owner.id());
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
    protected boolean tracksIdleKeys() {
        return spec.getTimeout().isPresent();
    }

    @Override
    protected Step<K, S> step(Time time, boolean first) {
        var inputs = new ArrayList<Dataset<?>>();
        PairDataset<K, V> data = parent.getOrCompute(time)
                .map(ds -> PairDataset.of(ds).partitionBy(partitioner())).orElse(null);
        if (data != null) {
            inputs.add(data);
        }
        PairDataset<K, S> initial = first
                ? spec.getInitialState().map(i -> i.partitionBy(partitioner())).orElse(null) : null;
        if (initial != null) {
            inputs.add(initial);
        }
        var f = spec.getFunction();
        Duration timeout = spec.getTimeout().orElse(null);
        String recordsKey = storeSpec().key();
        int numPartitions = partitioner().numPartitions();
        return new Step<>(inputs, (tx, partition, ctx) -> {
            if (initial != null) {
                initial.iterate(partition, ctx, kv -> tx.put(kv.key(), kv.value()));
            }
            var mapped = new ArrayList<U>();
            var state = new StateImpl<S>();
            if (data != null) {
                data.iterate(partition, ctx, kv -> {
                    K key = kv.key();
                    StateEntry<S> entry = tx.get(key);
                    state.wrap(entry == null ? null : entry.value(), entry != null);
                    call(f, time, key, Optional.ofNullable(kv.value()), state).ifPresent(mapped::add);
                    if (state.isRemoved()) {
                        tx.remove(key);
                    } else if (state.isUpdated() || (state.exists() && timeout != null)) {
                        // with a timeout, data for a key counts as activity even if the state is unchanged
                        tx.put(key, state.get());
                    }
                });
            }
            if (timeout != null) {
                for (K key : tx.pollIdleKeys(time.minus(timeout))) {
                    state.wrapTimingOut(tx.get(key).value());
                    call(f, time, key, Optional.empty(), state).ifPresent(mapped::add);
                    tx.remove(key);
                }
            }
            MappedRecords<U> out = ctx.env().stateStores().mappedRecords(recordsKey, numPartitions);
            out.put(time, partition, mapped);
        });
    }

    private static <K, V, S, U> Optional<U> call(Function4<Time, K, Optional<V>, State<S>, Optional<U>> f, Time time,
                                                 K key, Optional<V> value, State<S> state) {
        Optional<U> result;
        try {
            result = f.call(time, key, value, state);
        } catch (Exception e) {
            throw Sneaky.rethrow(e);
        }
        if (result == null) {
            throw new IllegalStateException("The mapWithState function returned null for key " + key
                    + "; return Optional.empty() for no output");
        }
        return result;
    }

    @Override
    protected void onClear(Time time, Dataset<Pair<K, S>> dataset) {
        super.onClear(time, dataset);
        records.forgetUpTo(time);
    }
}
