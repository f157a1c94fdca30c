package io.sluice.executor;

import io.sluice.batch.Task;
import io.sluice.batch.TaskFailedException;
import io.sluice.batch.TaskScheduler;
import io.sluice.serde.Serializer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs every task the way an executor will: the driver serializes it with Kryo, the executor side deserializes it
 * and runs it with {@link TaskRunner} in an {@link ExecutorEnv} (no driver context there), and the result travels
 * back serialized too. Tasks run one after another on the calling thread.
 */
final class SerializingTaskScheduler implements TaskScheduler {
    private final Serializer driverSide;
    private final ExecutorEnv executor;
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);
    private final AtomicInteger shipped = new AtomicInteger();
    private final List<TaskResult<?>> results = new ArrayList<>();

    SerializingTaskScheduler(Serializer driverSide, ExecutorEnv executor) {
        this.driverSide = driverSide;
        this.executor = executor;
    }

    @Override
    public int slots() {
        return 2;
    }

    @Override
    public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
        var values = new ArrayList<U>(tasks.size());
        for (Task<U> task : tasks) {
            byte[] shippedTask = driverSide.serialize(task);
            shipped.incrementAndGet();
            TaskResult<U> result;
            inTask.set(true);
            try {
                Task<U> received = executor.serializer().deserialize(shippedTask);
                result = driverSide.deserialize(executor.serializer().serialize(TaskRunner.run(received, 0, executor)));
            } finally {
                inTask.set(false);
            }
            synchronized (results) {
                results.add(result);
            }
            if (result instanceof TaskResult.Failure<U> f) {
                throw new TaskFailedException("Task " + task.partition() + " of stage " + task.stageId() + " ("
                        + stageName + ") failed on " + executor.id() + ": " + f.describe(), null);
            }
            if (result instanceof TaskResult.FetchFailed<U> f) {
                throw new TaskFailedException("Task " + task.partition() + " of stage " + task.stageId() + " ("
                        + stageName + ") could not fetch map " + f.mapId() + " from " + f.location(), null);
            }
            values.add(((TaskResult.Success<U>) result).value());
        }
        return values;
    }

    /** How many tasks went through serialization. */
    int shippedTasks() {
        return shipped.get();
    }

    /** Every result, as the driver received it. */
    List<TaskResult<?>> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    @Override
    public boolean inTask() {
        return inTask.get();
    }

    @Override
    public void close() {
    }
}
