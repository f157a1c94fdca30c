package io.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The driver's record of computed partitions (what lets later jobs skip lineage) must not take a task result that
 * arrives after the executor it ran on, and the state it hosted, was lost: that partition is gone, and the next job
 * must see the lineage that rebuilds it. A scheduler that reports a state loss while a stage runs shows it.
 */
class ComputedPartitionsAfterStateLossTest {
    private SluiceContext sc;
    private LosingScheduler scheduler;

    /** Runs tasks locally; before returning a stage's results it can report state slots lost, as a cluster would. */
    private static final class LosingScheduler implements TaskScheduler {
        private final LocalTaskScheduler local;
        private final List<Consumer<Set<Integer>>> listeners = new CopyOnWriteArrayList<>();
        volatile Set<Integer> loseDuringNextStage;

        LosingScheduler(io.sluice.executor.ExecutionEnv env) {
            local = new LocalTaskScheduler(2, Duration.ofMinutes(1), env);
        }

        @Override
        public int slots() {
            return local.slots();
        }

        @Override
        public <U> List<U> runTasks(String stageName, List<? extends Task<U>> tasks) {
            List<U> results = local.runTasks(stageName, tasks);
            Set<Integer> lost = loseDuringNextStage;
            if (lost != null) {
                loseDuringNextStage = null;
                listeners.forEach(l -> l.accept(lost));
            }
            return results;
        }

        @Override
        public void addStateLossListener(Consumer<Set<Integer>> listener) {
            listeners.add(listener);
        }

        @Override
        public boolean inTask() {
            return local.inTask();
        }

        @Override
        public void close() {
            local.close();
        }
    }

    /** Records what the driver marks as computed, and forgets it on a state loss, as state datasets do. */
    private static final class RecordingDataset extends Dataset<Integer> {
        private final Dataset<Integer> parent;
        final Set<Integer> computed = new java.util.concurrent.ConcurrentSkipListSet<>();

        RecordingDataset(SluiceContext sc, Dataset<Integer> parent) {
            super(sc, "recording");
            this.parent = parent;
        }

        @Override
        public int numPartitions() {
            return parent.numPartitions();
        }

        @Override
        public List<Dependency> dependencies() {
            return List.of(new Dependency.Narrow(parent));
        }

        @Override
        protected void compute(int partition, TaskContext ctx, Consumer<? super Integer> out) {
            parent.iterate(partition, ctx, out);
        }

        @Override
        public void markComputed(int partition) {
            computed.add(partition);
        }
    }

    @AfterEach
    void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    private RecordingDataset start() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("state-loss"), env -> {
            scheduler = new LosingScheduler(env);
            return scheduler;
        });
        var ds = new RecordingDataset(sc, sc.parallelize(List.of(1, 2, 3, 4), 2));
        sc.addStateLossListener(lost -> ds.computed.removeAll(lost));
        return ds;
    }

    @Test
    void partitionsComputedByAJobAreRecordedWhenNoStateWasLost() {
        var ds = start();
        assertThat(sc.runJob(ds, "count", (p, ctx) -> 1)).containsExactly(1, 1);
        assertThat(ds.computed).containsExactly(0, 1);
    }

    @Test
    void aStateLossWhileTheJobRanLeavesItsPartitionsUnrecorded() {
        var ds = start();
        scheduler.loseDuringNextStage = Set.of(1);
        assertThat(sc.runJob(ds, "count", (p, ctx) -> 1)).containsExactly(1, 1);
        assertThat(ds.computed).as("results that may come from the lost executor are not recorded").isEmpty();

        assertThat(sc.runJob(ds, "count again", (p, ctx) -> 1)).containsExactly(1, 1);
        assertThat(ds.computed).as("the next job, with no loss, records them").containsExactly(0, 1);
    }
}
