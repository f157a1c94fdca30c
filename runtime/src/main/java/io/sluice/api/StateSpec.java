package io.sluice.api;

import io.sluice.api.function.Function3;
import io.sluice.api.function.Function4;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.PairDataset;
import io.sluice.batch.Partitioner;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@link PairDStream#mapWithState} needs: the mapping function (mandatory), and optionally the
 * partitioning of the state, an initial state and an idle timeout. Immutable: each setter returns a new spec.
 *
 * <pre>{@code
 * var spec = StateSpec.<String, Integer, Long, String>function((word, one, state) -> {
 *     long n = state.getOption().orElse(0L) + one.orElse(0);
 *     state.update(n);
 *     return Optional.of(word + "=" + n);
 * }).numPartitions(4).timeout(Durations.minutes(10));
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type of the input stream
 * @param <S> state type
 * @param <U> type of the mapped output
 */
public final class StateSpec<K, V, S, U> {
    private final Function4<Time, K, Optional<V>, State<S>, Optional<U>> function;
    private final Partitioner partitioner;
    private final PairDataset<K, S> initialState;
    private final Duration timeout;

    private StateSpec(Function4<Time, K, Optional<V>, State<S>, Optional<U>> function, Partitioner partitioner,
                      PairDataset<K, S> initialState, Duration timeout) {
        this.function = Objects.requireNonNull(function, "the mapping function must not be null");
        this.partitioner = partitioner;
        this.initialState = initialState;
        this.timeout = timeout;
    }

    /** A spec with a function of (key, value, state); the value is empty only in a timeout call. */
    public static <K, V, S, U> StateSpec<K, V, S, U> function(Function3<K, Optional<V>, State<S>, Optional<U>> f) {
        Objects.requireNonNull(f, "the mapping function must not be null");
        return new StateSpec<>((time, k, v, s) -> f.call(k, v, s), null, null, null);
    }

    /** A spec with a function that also gets the batch time. */
    public static <K, V, S, U> StateSpec<K, V, S, U> function(
            Function4<Time, K, Optional<V>, State<S>, Optional<U>> f) {
        return new StateSpec<>(f, null, null, null);
    }

    /** Hash-partitions the state into {@code numPartitions} partitions. */
    public StateSpec<K, V, S, U> numPartitions(int numPartitions) {
        return partitioner(new HashPartitioner(numPartitions));
    }

    public StateSpec<K, V, S, U> partitioner(Partitioner p) {
        return new StateSpec<>(function, Objects.requireNonNull(p, "partitioner"), initialState, timeout);
    }

    /** The state of these keys before the first batch. */
    public StateSpec<K, V, S, U> initialState(PairDataset<K, S> initial) {
        return new StateSpec<>(function, partitioner, Objects.requireNonNull(initial, "initialState"), timeout);
    }

    /**
     * Removes a key that received no data for longer than {@code idle} (measured in batch time); the function is
     * called once more for it, with no value and {@link State#isTimingOut()} true.
     */
    public StateSpec<K, V, S, U> timeout(Duration idle) {
        if (idle == null || idle.isNegative() || idle.isZero()) {
            throw new IllegalArgumentException("The timeout of a StateSpec must be positive, got " + idle);
        }
        return new StateSpec<>(function, partitioner, initialState, idle);
    }

    public Function4<Time, K, Optional<V>, State<S>, Optional<U>> getFunction() {
        return function;
    }

    public Optional<Partitioner> getPartitioner() {
        return Optional.ofNullable(partitioner);
    }

    public Optional<PairDataset<K, S>> getInitialState() {
        return Optional.ofNullable(initialState);
    }

    public Optional<Duration> getTimeout() {
        return Optional.ofNullable(timeout);
    }
}
