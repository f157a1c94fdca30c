package io.sluice.state;

import io.sluice.api.Time;
import java.util.function.BiConsumer;

/**
 * The keyed state of one stateful operator, split into partitions like the data that updates it and versioned by
 * batch time. A version is written once, on top of the previous one, by a task of the batch that owns it; recent
 * versions stay readable until forgotten, so a late reader of a batch sees that batch's state. Implementations are
 * thread-safe: different partitions may be written at once.
 */
public interface StateStore<K, S> {

    /** The stable id of the operator (its user-given name, or one derived from its place in the graph). */
    String operatorId();

    int numPartitions();

    /** The latest committed version of a partition; the store's initial version (zero time) before any commit. */
    Time latestVersion(int partition);

    /**
     * Writes {@code version} of a partition by running {@code update} on top of the latest version, which must be
     * {@code base}, and commits it. Does nothing if {@code version} is already committed: each version is written
     * once. If {@code update} throws, its changes are rolled back and the exception propagates.
     *
     * @return whether {@code update} ran
     */
    boolean commitVersion(int partition, Time base, Time version, Update<K, S> update);

    /**
     * Visits every entry of a committed and still retained version of a partition.
     *
     * @throws StateVersionNotRetainedException if that version is no longer (or was never) readable here
     */
    void snapshot(int partition, Time version, BiConsumer<? super K, ? super StateEntry<S>> visitor);

    /**
     * If a partition's latest version is before {@code version}, replaces it by {@code entries} as that version,
     * dropping older versions: how a process that takes over a partition starts from a saved snapshot. Does
     * nothing otherwise (another task of this process restored it, or wrote newer versions, meanwhile).
     *
     * @return whether the partition was replaced
     */
    boolean restoreIfBehind(int partition, Time version, java.util.function.Supplier<java.util.Map<K, StateEntry<S>>> entries);

    /** Versions up to and including {@code time} need no longer be readable (the latest version always is). */
    void forgetUpTo(Time time);

    /** The number of keys in the latest versions of all partitions. */
    long size();

    /** What a new version does to the previous one. */
    @FunctionalInterface
    interface Update<K, S> {
        void apply(StateTransaction<K, S> tx) throws Exception;
    }
}
