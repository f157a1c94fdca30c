package io.sluice.dstream;

import io.sluice.api.Time;
import io.sluice.batch.StateRestoreFailedException;
import io.sluice.batch.Task;
import io.sluice.batch.TaskFailedException;
import io.sluice.batch.TaskScheduler;
import io.sluice.batch.TaskShipping;
import io.sluice.executor.ExecutionEnv;
import io.sluice.executor.TaskResult;
import io.sluice.executor.TaskRunner;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.MapOutputWriter;
import io.sluice.shuffle.ShuffleReader;
import io.sluice.state.StateRegistry;
import io.sluice.state.StateStores;
import io.sluice.storage.BlockStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;

/**
 * State on an executor that can be lost, in one JVM and deterministically: every task is serialized and deserialized
 * as for an executor (so datasets arrive without the driver's record of what is computed), then runs on the calling
 * thread against the driver's block and shuffle stores but its own state stores, those of "the executor". {@link #kill}
 * loses that executor's state as a SIGKILL would and reports every state slot lost, as the cluster scheduler does.
 * Results come back like a cluster's: a restore failure as a {@link StateRestoreFailedException}.
 */
final class SimulatedExecutors implements TaskScheduler {
    /** The state slots a kill reports lost: every partition of the streams of these tests. */
    private static final int MAX_STATE_PARTITIONS = 16;
    private final ExecutionEnv driver;
    private final AtomicReference<StateRegistry> executorState = new AtomicReference<>(new StateRegistry());
    private final List<Consumer<Set<Integer>>> lossListeners = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Boolean> inTask = ThreadLocal.withInitial(() -> false);
    private final AtomicInteger restoreFailures = new AtomicInteger();

    SimulatedExecutors(ExecutionEnv driver) {
        this.driver = driver;
    }

    /** The executor dies: the state in its memory is gone, its slots move (to a fresh executor, here). */
    void kill() {
        executorState.set(new StateRegistry());
        Set<Integer> slots = IntStream.range(0, MAX_STATE_PARTITIONS).boxed().collect(Collectors.toSet());
        lossListeners.forEach(l -> l.accept(slots));
    }

    /** How many tasks could not restore saved state. */
    int restoreFailures() {
        return restoreFailures.get();
    }

    @Override
    public int slots() {
        return 2;
    }

    @Override
    public boolean runsTasksOnExecutors() {
        return true;
    }

    @Override
    public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
        var env = new ExecutorSide(executorState.get());
        var values = new ArrayList<U>(tasks.size());
        for (Task<U> task : tasks) {
            Serializer serializer = driver.serializer();
            Task<U> shipped = serializer.deserialize(TaskShipping.serialize(serializer, task));
            TaskResult<U> result;
            inTask.set(true);
            try {
                result = serializer.deserialize(serializer.serialize(TaskRunner.run(shipped, 0, env)));
            } finally {
                inTask.set(false);
            }
            if (result instanceof TaskResult.Success<U> s) {
                values.add(s.value());
            } else if (result instanceof TaskResult.StateRestoreFailed<U> r) {
                restoreFailures.incrementAndGet();
                throw new StateRestoreFailedException(r.message(), r.storeKey(), r.partition(), new Time(r.versionMs()),
                        r.snapshot());
            } else if (result instanceof TaskResult.Failure<U> f) {
                throw new TaskFailedException("Task " + task.partition() + " of " + stageName + " failed: "
                        + f.describe(), f.exception().orElse(null));
            } else {
                throw new TaskFailedException("Task " + task.partition() + " of " + stageName + ": " + result, null);
            }
        }
        return values;
    }

    @Override
    public void addStateLossListener(Consumer<Set<Integer>> listener) {
        lossListeners.add(listener);
    }

    @Override
    public void forgetState(String storeKey, Time upTo) {
        executorState.get().forgetUpTo(storeKey, upTo);
    }

    @Override
    public boolean inTask() {
        return inTask.get();
    }

    @Override
    public void close() {
    }

    /** The driver's environment with the executor's state stores. */
    private final class ExecutorSide implements ExecutionEnv {
        private final StateRegistry state;

        ExecutorSide(StateRegistry state) {
            this.state = state;
        }

        @Override
        public BlockStore blockStore() {
            return driver.blockStore();
        }

        @Override
        public ShuffleReader shuffleReader() {
            return driver.shuffleReader();
        }

        @Override
        public MapOutputWriter mapOutputWriter() {
            return driver.mapOutputWriter();
        }

        @Override
        public StateStores stateStores() {
            return state;
        }

        @Override
        public Configuration hadoopConf() {
            return driver.hadoopConf();
        }

        @Override
        public Serializer serializer() {
            return driver.serializer();
        }
    }
}
