package io.sluice.batch;

/** The work of one task: computes a result from one partition. */
@FunctionalInterface
public interface TaskFunction<U> {
    U run(int partition, TaskContext ctx) throws Exception;
}
