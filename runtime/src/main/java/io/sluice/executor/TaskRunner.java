package io.sluice.executor;

import io.sluice.batch.Task;
import io.sluice.batch.TaskContext;
import io.sluice.shuffle.ShuffleFetchException;
import io.sluice.state.StateRestoreException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs a task in an environment and turns its outcome into a {@link TaskResult}; the same path for the driver's
 * task threads (local mode) and executors.
 */
public final class TaskRunner {
    private static final Logger LOG = LogManager.getLogger(TaskRunner.class);

    private TaskRunner() {
    }

    /**
     * Runs {@code task} on the calling thread. A {@link ShuffleFetchException} (also as the cause of what the task
     * threw) becomes a {@link TaskResult.FetchFailed}, a {@link StateRestoreException} a
     * {@link TaskResult.StateRestoreFailed}; anything else the task throws becomes a
     * {@link TaskResult.Failure}, except a {@link VirtualMachineError} other than a stack overflow (out of memory,
     * internal error), which propagates: a process in that state should not go on running tasks.
     */
    public static <U> TaskResult<U> run(Task<U> task, int attempt, ExecutionEnv env) {
        var ctx = new TaskContext(task.stageId(), task.partition(), attempt, env);
        try {
            return new TaskResult.Success<>(task.run(ctx));
        } catch (VirtualMachineError e) {
            if (!(e instanceof StackOverflowError)) {
                throw e;
            }
            LOG.error("{} (attempt {}) failed", task, attempt, e);
            return TaskResult.Failure.of(e);
        } catch (Throwable t) {
            ShuffleFetchException fetch = fetchFailure(t);
            if (fetch != null) {
                LOG.warn("{} (attempt {}) could not fetch a map output: {}", task, attempt, fetch.getMessage());
                return new TaskResult.FetchFailed<>(fetch.location(), fetch.shuffleId(), fetch.mapId(),
                        fetch.reduceId(), fetch.getMessage());
            }
            StateRestoreException restore = restoreFailure(t);
            if (restore != null) {
                LOG.warn("{} (attempt {}) could not restore saved state: {}", task, attempt, restore.getMessage());
                return new TaskResult.StateRestoreFailed<>(restore.storeKey(), restore.partition(),
                        restore.version().milliseconds(), restore.snapshot(), restore.getMessage());
            }
            LOG.error("{} (attempt {}) failed", task, attempt, t);
            return TaskResult.Failure.of(t);
        }
    }

    /** The state restore failure in {@code t}'s cause chain, if any. */
    private static StateRestoreException restoreFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof StateRestoreException r) {
                return r;
            }
        }
        return null;
    }

    /** The fetch failure in {@code t}'s cause chain (a user function may have wrapped it), if any. */
    private static ShuffleFetchException fetchFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ShuffleFetchException f) {
                return f;
            }
        }
        return null;
    }
}
