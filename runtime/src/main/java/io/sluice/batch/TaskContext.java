package io.sluice.batch;

/** What a running task knows about itself: its stage, partition and attempt. */
public record TaskContext(int stageId, int partition, int attempt) {
}
