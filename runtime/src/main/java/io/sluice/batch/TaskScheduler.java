package io.sluice.batch;

import java.util.List;

/** Runs the tasks of one stage somewhere and returns their results in task order. */
public interface TaskScheduler extends AutoCloseable {

    /** How many tasks can run at once. */
    int slots();

    /**
     * Runs every task (all of one stage) and returns their values in the order of {@code tasks}; throws a
     * {@link TaskFailedException} naming the task when one fails for good.
     */
    <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks);

    /**
     * Tells the processes that ran map tasks of {@code shuffleId} to drop its outputs (the driver's own copies are
     * released by the caller). Asynchronous, best effort: a process that cannot be told keeps them until it exits.
     */
    default void releaseShuffle(int shuffleId) {
    }

    /** Like {@link #releaseShuffle}, for the cached partitions of a persisted dataset. */
    default void releaseDataset(int datasetId) {
    }

    /**
     * Calls {@code listener} with the state slots (see {@link TaskLocality}) whose host process was lost, so the
     * state partitions kept there must be rebuilt. Schedulers whose processes cannot be lost never call it.
     */
    default void addStateLossListener(java.util.function.Consumer<java.util.Set<Integer>> listener) {
    }

    /**
     * Tells the processes that may hold state kept under {@code storeKey} that versions up to {@code upTo} are no
     * longer read. Asynchronous, best effort. Schedulers whose tasks use the driver's own stores do nothing.
     */
    default void forgetState(String storeKey, io.sluice.api.Time upTo) {
    }

    /**
     * True when tasks run in processes other than the driver, with their own state stores, which can be lost (see
     * {@link SluiceContext#runsTasksOnExecutors()}); false for the driver's own task threads.
     */
    default boolean runsTasksOnExecutors() {
        return false;
    }

    /** True when called from one of this scheduler's task threads. */
    boolean inTask();

    @Override
    void close();
}
