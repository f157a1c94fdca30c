package io.sluice.batch;

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
 * Runs tasks on a fixed pool of named threads in this JVM ({@code local[N]}). As in any local mode, a failed task
 * fails its job at once (there is no other executor to retry on).
 */
public final class LocalTaskScheduler implements TaskScheduler {
    private static final Logger LOG = LogManager.getLogger(LocalTaskScheduler.class);

    private final int slots;
    private final ExecutorService pool;
    private final Duration timeout;
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);

    public LocalTaskScheduler(int slots, Duration timeout) {
        this.slots = slots;
        this.timeout = timeout;
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
    public <U> List<U> runTasks(int stageId, String stageName, int[] partitions, TaskFunction<U> fn) {
        if (partitions.length == 0) {
            return List.of();
        }
        if (partitions.length == 1) {
            // one task: run it here rather than paying a hand-off to the pool
            // singletonList, not List.of: shuffle map tasks return null
            return java.util.Collections.singletonList(runOne(stageId, stageName, partitions[0], fn));
        }
        var futures = new ArrayList<Future<U>>(partitions.length);
        for (int p : partitions) {
            futures.add(pool.submit(() -> runOne(stageId, stageName, p, fn)));
        }
        var results = new ArrayList<U>(partitions.length);
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

    private <U> U runOne(int stageId, String stageName, int partition, TaskFunction<U> fn) {
        boolean nested = inTask.get();
        inTask.set(true);
        try {
            return fn.run(partition, new TaskContext(stageId, partition, 0));
        } catch (TaskFailedException e) {
            throw e;
        } catch (Throwable t) {
            LOG.error("Task {} of stage {} ({}) failed", partition, stageId, stageName, t);
            throw new TaskFailedException("Task " + partition + " of stage " + stageId + " (" + stageName
                    + ") failed: " + t, t);
        } finally {
            inTask.set(nested);
        }
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
