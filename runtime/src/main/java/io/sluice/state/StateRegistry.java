package io.sluice.state;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The stores of the stateful operators of this process, registered when their streams initialize. Registering an
 * operator id again replaces the earlier entry: a graph rebuilt on the same context (restart from a checkpoint)
 * brings new stores for the same operators. Thread-safe.
 */
public final class StateRegistry implements StateStores {
    private final ConcurrentHashMap<String, StateStore<?, ?>> stores = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, MappedRecords<?>> mapped = new ConcurrentHashMap<>();

    public void register(StateStore<?, ?> store) {
        stores.put(store.operatorId(), store);
    }

    public void registerMappedRecords(String operatorId, MappedRecords<?> records) {
        mapped.put(operatorId, records);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, S> StateStore<K, S> store(String operatorId) {
        StateStore<?, ?> store = stores.get(operatorId);
        if (store == null) {
            throw new IllegalStateException("The state of operator '" + operatorId + "' is not hosted in this "
                    + "process (hosted here: " + stores.keySet() + ")");
        }
        return (StateStore<K, S>) store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <U> MappedRecords<U> mappedRecords(String operatorId) {
        MappedRecords<?> records = mapped.get(operatorId);
        if (records == null) {
            throw new IllegalStateException("The mapped records of operator '" + operatorId + "' are not hosted in "
                    + "this process (hosted here: " + mapped.keySet() + ")");
        }
        return (MappedRecords<U>) records;
    }
}
