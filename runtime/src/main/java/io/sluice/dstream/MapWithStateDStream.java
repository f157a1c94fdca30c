package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StateSpec;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.Partitioner;
import io.sluice.state.MappedRecordsDataset;
import io.sluice.state.StateDataset;
import io.sluice.state.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The result of {@code mapWithState}: each batch holds what the mapping function returned for that batch's records
 * (and for keys timing out). {@link #stateSnapshots()} gives the full state after each batch. Naming this stream
 * with {@link #name} names the operator whose state is kept.
 */
public final class MapWithStateDStream<K, V, S, U> extends DStream<U> {
    private final InternalMapWithStateDStream<K, V, S, U> internal;

    public MapWithStateDStream(DStream<Pair<K, V>> parent, StateSpec<K, V, S, U> spec, Partitioner defaultPartitioner) {
        super(parent.context(), "mapWithState");
        this.internal = new InternalMapWithStateDStream<>(parent, spec,
                spec.getPartitioner().orElse(defaultPartitioner), this);
    }

    /** The class of the internal state stream, whose lambdas travel in tasks (for Kryo registration). */
    public static Class<?> internalStreamClass() {
        return InternalMapWithStateDStream.class;
    }

    /** Every batch, all (key, state) pairs, including initial-state keys that no record has touched. */
    /** Names this stream and so pins the operator id of its state (see {@link DStream#name}). */
    @Override
    public MapWithStateDStream<K, V, S, U> name(String name) {
        super.name(name);
        return this;
    }

    /** Pins the operator id of this stream's state (see {@link DStream#uid}). */
    @Override
    public MapWithStateDStream<K, V, S, U> uid(String uid) {
        return name(uid);
    }

    public PairDStream<K, S> stateSnapshots() {
        return PairDStream.of(new MappedDStream<Pair<K, S>, Pair<K, S>>(internal, "stateSnapshots", ds -> ds, null));
    }

    /** The store of this operator's state (engine-internal; available once started). */
    public StateStore<K, S> stateStore() {
        return internal.stateStore();
    }

    @Override
    public Duration slideDuration() {
        return internal.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(internal);
    }

    @Override
    protected Optional<Dataset<U>> compute(Time time) {
        return internal.getOrCompute(time).<Dataset<U>>map(ds -> {
            if (!(ds instanceof StateDataset<K, S> state)) {
                throw new IllegalStateException("The state dataset of " + internal + " at " + time + " is " + ds);
            }
            return new MappedRecordsDataset<>(state);
        });
    }
}
