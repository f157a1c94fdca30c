package io.sluice.state;

/**
 * The state of the stateful operators hosted by one process, looked up by stable operator id. Tasks reach state
 * through this (via {@code TaskContext.env()}) rather than through references held by datasets, so that the
 * process running a task, not the driver, decides where a state partition lives: the first task that touches an
 * operator's state in a process creates its store there.
 */
public interface StateStores {

    /** The store of an operator, created empty from {@code spec} if this process has none yet. */
    <K, S> StateStore<K, S> store(StoreSpec spec);

    /**
     * The records a mapWithState operator returned, by batch and partition, under its store's {@link StoreSpec#key()};
     * created empty if this process has none yet.
     */
    <U> MappedRecords<U> mappedRecords(String key, int numPartitions);
}
