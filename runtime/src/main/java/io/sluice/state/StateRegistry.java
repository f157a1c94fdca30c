package io.sluice.state;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The stores of the stateful operators of this process: registered by the driver when its streams initialize (local
 * mode, where the driver's threads run the tasks), or created by the first task that needs one (executors).
 * Registering an operator id again replaces the earlier entry: a graph rebuilt on the same context (restart from a
 * checkpoint) brings new stores for the same operators. Thread-safe.
 */
public final class StateRegistry implements StateStores {
    private final ConcurrentHashMap<String, StateStore<?, ?>> stores = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, MappedRecords<?>> mapped = new ConcurrentHashMap<>();

    /** Makes {@code store} the one tasks of this process find for {@code spec}. */
    public void register(StoreSpec spec, StateStore<?, ?> store) {
        stores.put(spec.key(), store);
    }

    /** Makes {@code records} the ones tasks of this process find under {@code key} (a {@link StoreSpec#key()}). */
    public void registerMappedRecords(String key, MappedRecords<?> records) {
        mapped.put(key, records);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, S> StateStore<K, S> store(StoreSpec spec) {
        StateStore<?, ?> store = stores.computeIfAbsent(spec.key(), id -> spec.newStore());
        if (store.numPartitions() != spec.numPartitions()) {
            throw new IllegalStateException("The state of operator '" + spec.operatorId() + "' has "
                    + store.numPartitions() + " partitions here, but a task expects " + spec.numPartitions());
        }
        return (StateStore<K, S>) store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <U> MappedRecords<U> mappedRecords(String key, int numPartitions) {
        return (MappedRecords<U>) mapped.computeIfAbsent(key, id -> new MappedRecords<>(numPartitions));
    }

    /**
     * Drops the versions up to {@code upTo} of the store and the mapWithState records kept under {@code key}, if this
     * process has them.
     */
    public void forgetUpTo(String key, io.sluice.api.Time upTo) {
        StateStore<?, ?> store = stores.get(key);
        if (store != null) {
            store.forgetUpTo(upTo);
        }
        MappedRecords<?> records = mapped.get(key);
        if (records != null) {
            records.forgetUpTo(upTo);
        }
    }

    /** The store registered under {@code key} (a {@link StoreSpec#key()}) if this process has one. */
    @SuppressWarnings("unchecked")
    public <K, S> StateStore<K, S> existing(String key) {
        return (StateStore<K, S>) stores.get(key);
    }
}
