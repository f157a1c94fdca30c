package io.sluice.state;

import io.sluice.api.Time;

/**
 * What a process needs to create the store of a stateful operator when the first task touching one of its partitions
 * runs there: the operator's stable id, the instance of the running graph it belongs to (so that a process shared by
 * successive streaming contexts never mixes their state), its partition count, the version an untouched partition
 * has, and whether the store indexes keys by their last update (for idle timeouts).
 */
public record StoreSpec(String operatorId, String instance, int numPartitions, Time initialVersion, boolean trackIdle) {

    /** A store of a graph that is the only user of its processes. */
    public StoreSpec(String operatorId, int numPartitions, Time initialVersion, boolean trackIdle) {
        this(operatorId, "", numPartitions, initialVersion, trackIdle);
    }

    /** The key of the store in a process's {@link StateRegistry}. */
    public String key() {
        return instance.isEmpty() ? operatorId : operatorId + "#" + instance;
    }

    public StoreSpec {
        if (numPartitions <= 0) {
            throw new IllegalArgumentException("The state of '" + operatorId + "' needs at least one partition, got "
                    + numPartitions);
        }
    }

    /** A new, empty store of this shape. */
    public <K, S> InMemoryStateStore<K, S> newStore() {
        return new InMemoryStateStore<>(operatorId, numPartitions, initialVersion, trackIdle);
    }
}
