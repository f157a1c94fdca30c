package io.sluice.batch;

/**
 * Runs an action's function on one partition of {@code dataset} and returns its result to the driver. The dataset
 * is named so that the task's lineage (and later its preferred locations) is known without inspecting the function.
 */
public record ResultTask<U>(int stageId, int partition, Dataset<?> dataset, TaskFunction<U> function)
        implements Task<U> {

    @Override
    public U run(TaskContext ctx) throws Exception {
        return function.run(partition, ctx);
    }

    @Override
    public TaskLocality locality() {
        return dataset.locality(partition);
    }

    @Override
    public String toString() {
        return "ResultTask(stage " + stageId + ", partition " + partition + " of " + dataset + ")";
    }
}
