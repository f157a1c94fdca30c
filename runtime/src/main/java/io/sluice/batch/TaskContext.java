package io.sluice.batch;

import io.sluice.executor.ExecutionEnv;

/**
 * What a running task knows about itself (its stage, partition and attempt) and the services of the process it runs
 * in. Datasets reach block, shuffle and state stores only through {@link #env()}.
 */
public record TaskContext(int stageId, int partition, int attempt, ExecutionEnv env) {
}
