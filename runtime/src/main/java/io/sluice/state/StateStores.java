package io.sluice.state;

/**
 * The state of the stateful operators hosted by one process, looked up by stable operator id. Tasks reach state
 * through this (via {@code TaskContext.env()}) rather than through references held by datasets, so that the
 * process running a task, not the driver, decides where a state partition lives.
 */
public interface StateStores {

    /** The store of an operator; fails with an {@link IllegalStateException} if this process does not host it. */
    <K, S> StateStore<K, S> store(String operatorId);

    /** The records a mapWithState operator returned, by batch and partition; fails like {@link #store}. */
    <U> MappedRecords<U> mappedRecords(String operatorId);
}
