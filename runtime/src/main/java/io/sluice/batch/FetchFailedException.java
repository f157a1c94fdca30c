package io.sluice.batch;

/**
 * A task of a stage could not read a map output it needs (its executor was lost, or no longer has it): the scheduler
 * has already forgotten the outputs of that location, and the job re-plans, running the missing map tasks again
 * before retrying the stage (at most {@code sluice.stage.maxConsecutiveAttempts} times).
 */
public final class FetchFailedException extends TaskFailedException {
    private final int shuffleId;

    public FetchFailedException(String message, int shuffleId) {
        super(message, null);
        this.shuffleId = shuffleId;
    }

    /** The shuffle whose output was missing. */
    public int shuffleId() {
        return shuffleId;
    }
}
