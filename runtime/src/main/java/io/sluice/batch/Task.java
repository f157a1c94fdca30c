package io.sluice.batch;

/**
 * One partition's work of a stage, self-contained so that it can run in another process: it carries the lineage
 * and functions it needs, and everything else comes from the {@link TaskContext#env()} it runs with. Tasks
 * serialize with Kryo; the driver-only {@link SluiceContext} of their datasets does not travel (see
 * {@link Dataset#context()}). Engine-internal.
 */
public sealed interface Task<U> permits ShuffleMapTask, ResultTask {

    int stageId();

    int partition();

    /** Where the task should run (driver only: it walks the task's lineage). */
    TaskLocality locality();

    /** Runs the task; called by {@link io.sluice.executor.TaskRunner}, which reports what it returns or throws. */
    U run(TaskContext ctx) throws Exception;
}
