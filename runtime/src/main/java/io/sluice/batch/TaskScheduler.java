package io.sluice.batch;

import java.util.List;

/** Runs the tasks of one stage somewhere and returns their results in partition order. */
public interface TaskScheduler extends AutoCloseable {

    /** How many tasks can run at once. */
    int slots();

    <U> List<U> runTasks(int stageId, String stageName, int[] partitions, TaskFunction<U> fn);

    /** True when called from one of this scheduler's task threads. */
    boolean inTask();

    @Override
    void close();
}
