package io.sluice.batch;

import java.io.Serializable;

/** The work of one task: computes a result from one partition. Serializable so that it ships with its task. */
@FunctionalInterface
public interface TaskFunction<U> extends Serializable {
    U run(int partition, TaskContext ctx) throws Exception;
}
