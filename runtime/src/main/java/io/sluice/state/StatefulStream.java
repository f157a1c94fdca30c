package io.sluice.state;

/**
 * A stream that keeps state across batches in a {@link StateStore}. The operator id is stable across restarts of
 * the same application code, so the state can be saved and restored by it.
 */
public interface StatefulStream {

    /** The user-given name of the operator if any, else an id derived from its place in the graph. */
    String operatorId();

    /** The store holding this operator's state; available once the context has started. */
    StateStore<?, ?> stateStore();
}
