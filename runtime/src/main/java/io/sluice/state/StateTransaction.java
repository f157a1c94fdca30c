package io.sluice.state;

import io.sluice.api.Time;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The writer of one new version of one state partition. Changes are visible to this transaction at once; the
 * store makes them a version on commit or rolls them back if the update fails. Not thread-safe: one task owns it.
 */
public interface StateTransaction<K, S> {

    /** The version being written (a batch time); {@link #put} stamps entries with it. */
    Time version();

    /** The entry of {@code key}, or null if the key has no state. */
    StateEntry<S> get(K key);

    /** Sets the state of {@code key}, updated at {@link #version()}. */
    void put(K key, S value);

    /** Removes the state of {@code key}, if any. */
    void remove(K key);

    /**
     * Replaces every entry's value by {@code f(key, value)}, removing the key where it returns null. {@code f}
     * must not call back into this transaction.
     */
    void updateEach(BiFunction<? super K, ? super S, ? extends S> f);

    /**
     * The keys whose last update is before {@code threshold} (needs a store that tracks idle keys). The caller must
     * remove or update each of them: the store stops tracking them when this transaction commits.
     */
    List<K> pollIdleKeys(Time threshold);

    /** The number of keys in the partition right now. */
    int size();
}
