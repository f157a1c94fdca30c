package io.sluice.batch;

import io.sluice.executor.ExecutionEnv;
import io.sluice.executor.TaskResult;
import io.sluice.executor.TaskRunner;
import io.sluice.util.NamedThreadFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs tasks on a fixed pool of named threads in this JVM ({@code local[N]}), through {@link TaskRunner} with the
 * driver's environment: tasks are not serialized. As in any local mode, a failed task fails its job at once (there
 * is no other executor to retry on).
 */
public final class LocalTaskScheduler implements TaskScheduler {
    private static final Logger LOG = LogManager.getLogger(LocalTaskScheduler.class);

    private final int slots;
    private final ExecutorService pool;
    private final Duration timeout;
    private final ExecutionEnv env;
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);

    public LocalTaskScheduler(int slots, Duration timeout, ExecutionEnv env) {
        this.slots = slots;
        this.timeout = timeout;
        this.env = env;
        this.pool = Executors.newFixedThreadPool(slots, new NamedThreadFactory("sluice-task", true));
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public boolean inTask() {
        return inTask.get();
    }

    @Override
    public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
        if (tasks.isEmpty()) {
            return List.of();
        }
        if (tasks.size() == 1) {
            // one task: run it here rather than paying a hand-off to the pool
            // singletonList, not List.of: results may be null
            return java.util.Collections.singletonList(runOne(stageName, tasks.get(0)));
        }
        var futures = new ArrayList<Future<U>>(tasks.size());
        for (Task<U> task : tasks) {
            futures.add(pool.submit(() -> runOne(stageName, task)));
        }
        var results = new ArrayList<U>(tasks.size());
        int stageId = tasks.get(0).stageId();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Future<U> f : futures) {
                results.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return results;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TaskFailedException tf) {
                throw tf;
            }
            throw new TaskFailedException("Stage " + stageId + " (" + stageName + ") failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new TaskFailedException("Stage " + stageId + " (" + stageName + ") did not finish within "
                    + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailedException("Interrupted while waiting for stage " + stageId + " (" + stageName + ")", e);
        } finally {
            for (Future<U> f : futures) {
                f.cancel(true);
            }
        }
    }

    private <U> U runOne(String stageName, Task<U> task) {
        boolean nested = inTask.get();
        inTask.set(true);
        TaskResult<U> result;
        try {
            result = TaskRunner.run(task, 0, env);
        } finally {
            inTask.set(nested);
        }
        if (result instanceof TaskResult.Success<U> s) {
            return s.value();
        }
        if (result instanceof TaskResult.Failure<U> f) {
            throw failed(stageName, task, f);
        }
        if (result instanceof TaskResult.StateRestoreFailed<U> r) {
            throw new StateRestoreFailedException("Task " + task.partition() + " of stage " + task.stageId() + " ("
                    + stageName + ") could not restore saved state: " + r.message(), r.storeKey(), r.partition(),
                    new io.sluice.api.Time(r.versionMs()), r.snapshot());
        }
        // the driver's shuffle store reports missing outputs as plain failures: a fetch failure here is a bug
        var fetch = (TaskResult.FetchFailed<U>) result;
        throw new TaskFailedException("Task " + task.partition() + " of stage " + task.stageId() + " (" + stageName
                + ") failed: " + fetch.message(), null);
    }

    private static TaskFailedException failed(String stageName, Task<?> task, TaskResult.Failure<?> f) {
        Throwable cause = f.exception().orElse(null);
        if (cause instanceof TaskFailedException nested) {
            return nested;
        }
        return new TaskFailedException("Task " + task.partition() + " of stage " + task.stageId() + " (" + stageName
                + ") failed: " + f.describe(), cause);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Task threads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
