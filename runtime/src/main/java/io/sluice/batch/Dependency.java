package io.sluice.batch;

/**
 * How a dataset depends on a parent: narrowly (each partition reads a known set of parent partitions in the same
 * task) or through a shuffle (a stage boundary).
 */
public sealed interface Dependency permits Dependency.Narrow, ShuffleDependency {

    Dataset<?> parent();

    /** A narrow dependency: computed in the same task as the child, so the two fuse into one pass. */
    record Narrow(Dataset<?> parent) implements Dependency {
    }
}
