package io.sluice.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Time;
import io.sluice.batch.BlockDataset;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.TaskFailedException;
import io.sluice.receiver.Await;
import io.sluice.state.StateDataset;
import io.sluice.state.StoreSpec;
import java.util.Map;
import io.sluice.batch.Dataset;
import io.sluice.batch.FetchFailedException;
import io.sluice.batch.StateRestoreFailedException;
import io.sluice.batch.ResultTask;
import io.sluice.batch.SluiceContext;
import io.sluice.batch.Task;
import io.sluice.batch.TaskFunction;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorLossReason;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.executor.TaskMessages;
import io.sluice.executor.TaskMessages.ExecutorReady;
import io.sluice.executor.TaskMessages.LaunchTask;
import io.sluice.executor.TaskMessages.TaskOutcome;
import io.sluice.executor.TaskResult;
import io.sluice.rpc.TransportContext;
import io.sluice.serde.KryoSerializer;
import io.sluice.shuffle.MapOutputTracker;
import io.sluice.shuffle.MapStatus;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterTaskScheduler} against two fake executors: in-process RPC servers whose {@code tasks} endpoint answers
 * launches with scripted {@link TaskResult}s, so retries, exclusion, fetch failures and executor loss are exercised
 * without child JVMs.
 */
class ClusterTaskSchedulerTest {
    private static final ExecutorId A = new ExecutorId("exec-a");
    private static final ExecutorId B = new ExecutorId("exec-b");

    /** A fake executor: answers each launch with what {@code behaviour} returns for the task and attempt. */
    private final class FakeExecutor {
        final TransportContext transport = new TransportContext(conf);
        final AtomicInteger launches = new AtomicInteger();
        final int serverPort;
        volatile BiFunction<Task<?>, LaunchTask, CompletableFuture<TaskResult<?>>> behaviour;

        FakeExecutor() {
            serverPort = transport.startServer("127.0.0.1", 0).address().getPort();
            transport.dispatcher().registerEndpoint(TaskMessages.TASKS_ENDPOINT, (ctx, message) -> {
                var launch = (LaunchTask) message;
                launches.incrementAndGet();
                Task<?> task = serializer.deserialize(launch.task());
                return behaviour.apply(task, launch).thenApply(r -> new TaskOutcome(serializer.serialize(r)));
            });
        }
    }

    private SluiceConf conf;
    private KryoSerializer serializer;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final MapOutputTracker tracker = new MapOutputTracker();
    private TransportContext driver;
    private FakeExecutor execA;
    private FakeExecutor execB;
    private ClusterTaskScheduler scheduler;
    private SluiceContext local;
    private Dataset<Integer> data;

    @BeforeEach
    void start() {
        conf = new SluiceConf(false).setMaster("local[1]")
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(30))
                .set(SluiceConf.TASK_MAX_FAILURES, 3)
                .set(SluiceConf.EXCLUDE_MAX_TASK_FAILURES, 2)
                .set(SluiceConf.EXCLUDE_TIMEOUT, Duration.ofSeconds(60));
        serializer = new KryoSerializer(conf);
        driver = new TransportContext(conf);
        execA = new FakeExecutor();
        execB = new FakeExecutor();
        scheduler = new ClusterTaskScheduler("app-test", conf, serializer, driver.clientFactory(), tracker, clock);
        local = new SluiceContext(conf);
        data = local.parallelize(IntStream.range(0, 4).boxed().toList(), 4);
    }

    @AfterEach
    void stop() {
        scheduler.close();
        local.close();
        driver.close();
        execA.transport.close();
        execB.transport.close();
    }

    /** Registers the fake executor and reports it ready, as the registry and the executor's TaskService would. */
    private void join(ExecutorId id, FakeExecutor executor, int cores) throws Exception {
        scheduler.executorRegistered(new ExecutorInfo(id, "127.0.0.1", executor.serverPort, cores, 1, 0, 0, null));
        assertThat(scheduler.executors()).as("registered, not ready yet: no tasks").doesNotContain(id);
        scheduler.schedulerEndpoint().receive(null, new ExecutorReady(id));
        assertThat(scheduler.executors()).contains(id);
    }

    private List<ResultTask<Integer>> tasks(int stageId) {
        TaskFunction<Integer> fn = (p, ctx) -> p * 10;
        var tasks = new ArrayList<ResultTask<Integer>>();
        for (int p = 0; p < 4; p++) {
            tasks.add(new ResultTask<>(stageId, p, data, fn));
        }
        return tasks;
    }

    private static CompletableFuture<TaskResult<?>> success(Task<?> task) {
        return CompletableFuture.completedFuture(new TaskResult.Success<>(task.partition() * 10));
    }

    private static CompletableFuture<TaskResult<?>> failure(String message) {
        return CompletableFuture.completedFuture(TaskResult.Failure.of(new IllegalStateException(message)));
    }

    @Test
    void tasksFailingOnOneExecutorRunOnTheOtherWhichThenGetsNoMoreTasks() throws Exception {
        execA.behaviour = (task, launch) -> failure("disk broken on a");
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 2);
        join(B, execB, 2);
        assertThat(scheduler.slots()).isEqualTo(4);

        assertThat(scheduler.runTasks("stage 0", tasks(0))).containsExactly(0, 10, 20, 30);
        assertThat(execA.launches.get()).isGreaterThanOrEqualTo(2);
        assertThat(scheduler.isExcluded(A)).isTrue();
        assertThat(scheduler.isExcluded(B)).isFalse();

        int before = execA.launches.get();
        assertThat(scheduler.runTasks("stage 1", tasks(1))).containsExactly(0, 10, 20, 30);
        assertThat(execA.launches.get()).as("no launch on the excluded executor").isEqualTo(before);

        // the exclusion ends after sluice.excludeOnFailure.timeout
        clock.advance(60_001);
        assertThat(scheduler.isExcluded(A)).isFalse();
    }

    @Test
    void aStateRestoreFailureAsksTheJobToFallBackAndNeverExcludesTheExecutor() throws Exception {
        execA.behaviour = (task, launch) -> CompletableFuture.completedFuture(new TaskResult.StateRestoreFailed<>(
                "counts#1", task.partition(), 4000, "/ckpt/state/counts/4000", "part-00000 does not exist"));
        join(A, execA, 4);

        for (int stage = 0; stage < 3; stage++) {
            int id = stage;
            assertThatThrownBy(() -> scheduler.runTasks("restore " + id, tasks(id)))
                    .isInstanceOfSatisfying(StateRestoreFailedException.class, e -> {
                        assertThat(e.storeKey()).isEqualTo("counts#1");
                        assertThat(e.version()).isEqualTo(new Time(4000));
                        assertThat(e.snapshot()).isEqualTo("/ckpt/state/counts/4000");
                    })
                    .hasMessageContaining("could not restore saved state: part-00000 does not exist");
        }
        assertThat(scheduler.isExcluded(A)).as("the saved copy is at fault, not the executor").isFalse();
    }

    @Test
    void anExecutorWhoseCoresAllRunReceiversIsNoReasonToWaitOutTheExclusionOfTheOnlyOneWithTaskSlots()
            throws Exception {
        scheduler.close();
        scheduler = new ClusterTaskScheduler("app-test", conf.copy().set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(10)),
                serializer, driver.clientFactory(), tracker, clock);
        var failed = new java.util.concurrent.ConcurrentHashMap<Integer, Boolean>();
        execA.behaviour = (task, launch) -> failed.putIfAbsent(task.partition(), true) == null && task.partition() < 2
                ? failure("flaky once") : success(task);
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 1);
        join(B, execB, 1);
        assertThat(scheduler.reserveReceiverCore(Set.of(A)).orElseThrow().id()).isEqualTo(B);

        assertThat(scheduler.runTasks("stage 0", tasks(0))).containsExactly(0, 10, 20, 30);
        assertThat(scheduler.isExcluded(A)).isTrue();
        assertThat(scheduler.runTasks("stage 1", tasks(1))).as("A is the only executor that can run them")
                .containsExactly(0, 10, 20, 30);
        assertThat(execB.launches.get()).isZero();
    }

    @Test
    void aTaskThatFailsEverywhereFailsTheStageAfterMaxFailures() throws Exception {
        execA.behaviour = (task, launch) -> task.partition() == 2 ? failure("bad partition 2") : success(task);
        execB.behaviour = execA.behaviour;
        join(A, execA, 1);
        join(B, execB, 1);
        assertThatThrownBy(() -> scheduler.runTasks("doomed", tasks(0)))
                .hasMessageContaining("Task 2 of stage 0 (doomed) failed 3 times (sluice.task.maxFailures = 3)")
                .hasMessageContaining("java.lang.IllegalStateException: bad partition 2");
    }

    @Test
    void aFetchFailureForgetsTheOutputsOfTheLocationAndAsksForAReplan() throws Exception {
        tracker.register(7, 2);
        tracker.add(7, new MapStatus(A, 0, new long[] {5}));
        tracker.add(7, new MapStatus(B, 1, new long[] {5}));
        execA.behaviour = (task, launch) -> success(task);
        execB.behaviour = (task, launch) -> CompletableFuture.completedFuture(
                new TaskResult.FetchFailed<>(A, 7, 0, task.partition(), "connection refused"));
        join(A, execA, 1);
        join(B, execB, 1);

        assertThatThrownBy(() -> scheduler.runTasks("reduce", tasks(3)))
                .isInstanceOf(FetchFailedException.class)
                .hasMessageContaining("could not fetch map 0 of shuffle 7 from exec-a");
        assertThat(tracker.missingMaps(7)).containsExactly(0);
    }

    @Test
    void theTasksOfALostExecutorRunElsewhereWithoutCountingAsFailures() throws Exception {
        conf.set(SluiceConf.TASK_MAX_FAILURES, 1);
        scheduler = new ClusterTaskScheduler("app-test", conf, serializer, driver.clientFactory(), tracker, clock);
        tracker.register(3, 1);
        tracker.add(3, new MapStatus(A, 0, new long[] {1}));
        var launchedOnA = new CountDownLatch(1);
        execA.behaviour = (task, launch) -> {
            launchedOnA.countDown();
            return new CompletableFuture<>(); // hangs: its executor is declared lost
        };
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 1);
        join(B, execB, 1);

        var lost = new Thread(() -> {
            try {
                if (launchedOnA.await(30, TimeUnit.SECONDS)) {
                    scheduler.executorLost(A, ExecutorLossReason.HEARTBEAT_TIMEOUT, "silent");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-executor-loss");
        lost.start();
        assertThat(scheduler.runTasks("stage", tasks(0))).containsExactly(0, 10, 20, 30);
        lost.join(30_000);
        assertThat(scheduler.executors()).containsExactly(B);
        assertThat(scheduler.slots()).isEqualTo(1);
        assertThat(tracker.missingMaps(3)).containsExactly(0);
    }

    @Test
    void anExecutorIsReleasableOnlyWithoutRunningTasksStagesInFlightOrMapOutputsARunningJobReads() throws Exception {
        tracker.register(5, 1);
        tracker.add(5, new MapStatus(B, 0, new long[] {1}));
        tracker.retain(List.of(5)); // a job reading shuffle 5 runs
        var release = new CompletableFuture<TaskResult<?>>();
        var launchedOnA = new CountDownLatch(1);
        execA.behaviour = (task, launch) -> {
            launchedOnA.countDown();
            return release.thenApply(r -> new TaskResult.Success<>(task.partition() * 10));
        };
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 4);
        join(B, execB, 1);
        assertThat(scheduler.tryReserveForRelease(B)).as("keeps a map output of shuffle 5, read by a running job")
                .isFalse();

        var stage = CompletableFuture.supplyAsync(() -> scheduler.runTasks("stage", tasks(0)));
        assertThat(launchedOnA.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.tryReserveForRelease(A)).as("runs a task").isFalse();
        release.complete(null);
        assertThat(stage.get(30, TimeUnit.SECONDS)).containsExactly(0, 10, 20, 30);
        assertThat(scheduler.executors()).containsExactly(A, B);

        assertThat(scheduler.tryReserveForRelease(A)).as("idle, no outputs").isTrue();
        assertThat(scheduler.executors()).as("no more tasks go to A").containsExactly(B);
        assertThat(scheduler.runTasks("after", tasks(1))).containsExactly(0, 10, 20, 30);
        assertThat(execA.launches.get()).isBetween(1, 4);

        tracker.release(List.of(5));
        assertThat(scheduler.tryReserveForRelease(B)).as("no running job reads its map outputs (they can be recomputed)")
                .isTrue();
        assertThat(scheduler.tryReserveForRelease(new ExecutorId("exec-unknown"))).isTrue();
    }

    @Test
    void receiversTakeCoresSpreadOverExecutorsAndTasksUseTheRest() throws Exception {
        execA.behaviour = (task, launch) -> success(task);
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 2);
        join(B, execB, 1);
        var lostAddresses = new ArrayList<String>();
        scheduler.addLossListener((id, address) -> lostAddresses.add(id + "@" + address));

        assertThat(scheduler.mayRelease(A)).isTrue();
        var first = scheduler.reserveReceiverCore(Set.of()).orElseThrow();
        assertThat(first.id()).as("the executor with the most cores").isEqualTo(A);
        assertThat(scheduler.mayRelease(A)).as("hosts a receiver").isFalse();
        assertThat(scheduler.locationOf(A)).isEqualTo(first.location());
        var second = scheduler.reserveReceiverCore(Set.of()).orElseThrow();
        assertThat(second.id()).as("spread: the executor without a receiver").isEqualTo(B);
        assertThat(scheduler.slots()).isEqualTo(1);
        assertThat(scheduler.peersOf(A.value())).containsExactly(second.location());
        // tasks run on the one core left, on A
        assertThat(scheduler.runTasks("stage", tasks(0))).containsExactly(0, 10, 20, 30);
        assertThat(scheduler.reserveReceiverCore(Set.of(A)).orElseThrow().id())
                .as("only A has a core left, even though it is to be avoided").isEqualTo(A);
        assertThat(scheduler.reserveReceiverCore(Set.of())).as("no core left").isEmpty();
        assertThat(scheduler.slots()).isZero();

        scheduler.releaseReceiverCore(A);
        assertThat(scheduler.slots()).isEqualTo(1);
        scheduler.releaseReceiverCore(A);
        assertThat(scheduler.mayRelease(A)).isTrue();
        java.util.function.Predicate<ExecutorId> guard = id -> !id.equals(A);
        scheduler.addReleaseGuard(guard);
        assertThat(scheduler.mayRelease(A)).as("the guard says no").isFalse();
        scheduler.removeReleaseGuard(guard);
        assertThat(scheduler.mayRelease(A)).isTrue();
        scheduler.executorLost(B, ExecutorLossReason.HEARTBEAT_TIMEOUT, "silent");
        assertThat(lostAddresses).containsExactly(B + "@" + second.location());
        assertThat(scheduler.slots()).as("B's receiver core went with it").isEqualTo(2);
        assertThat(scheduler.runTasks("stage", tasks(1))).containsExactly(0, 10, 20, 30);
    }

    @Test
    void onlyExecutorsReadyForTasksHoldBlockCopiesAndAReleasedOnesLossStillNamesItsAddress() throws Exception {
        var lostAddresses = new ArrayList<String>();
        scheduler.addLossListener((id, address) -> lostAddresses.add(id + "@" + address));
        String atA = "127.0.0.1:" + execA.serverPort;
        String atB = "127.0.0.1:" + execB.serverPort;
        scheduler.executorRegistered(new ExecutorInfo(A, "127.0.0.1", execA.serverPort, 1, 1, 0, 0, null));
        assertThat(scheduler.hasExecutorAt(atA)).as("registered, still starting").isFalse();
        assertThat(scheduler.peersOf(B.value())).as("a starting executor takes no copies").isEmpty();
        scheduler.schedulerEndpoint().receive(null, new ExecutorReady(A));
        join(B, execB, 1);
        assertThat(scheduler.hasExecutorAt(atA)).isTrue();
        assertThat(scheduler.peersOf(B.value())).containsExactly(atA);

        assertThat(scheduler.tryReserveForRelease(A)).isTrue();
        assertThat(scheduler.hasExecutorAt(atA)).as("being released: its copies no longer count").isFalse();
        assertThat(scheduler.peersOf(B.value())).isEmpty();
        scheduler.executorLost(A, ExecutorLossReason.RELEASED_BY_DRIVER, "released");
        scheduler.executorLost(B, ExecutorLossReason.EXITED, "killed");
        assertThat(lostAddresses).as("the blocks' locations at both are dropped")
                .containsExactly(A + "@" + atA, B + "@" + atB);
        assertThat(scheduler.hasExecutorAt(atB)).isFalse();
    }

    @Test
    void theLocalityHintNamesExecutorsRunningReceiversMostFirst() throws Exception {
        join(A, execA, 3);
        join(B, execB, 2);
        assertThat(scheduler.localityHint()).as("no receiver, no state").isEmpty();
        assertThat(scheduler.reserveReceiverCore(Set.of()).orElseThrow().id()).isEqualTo(A);
        assertThat(scheduler.localityHint()).containsExactly(A);
        assertThat(scheduler.reserveReceiverCore(Set.of()).orElseThrow().id()).isEqualTo(B);
        assertThat(scheduler.reserveReceiverCore(Set.of()).orElseThrow().id()).isEqualTo(A);
        assertThat(scheduler.localityHint()).as("A runs two receivers, B one").containsExactly(A, B);
        scheduler.executorLost(A, ExecutorLossReason.HEARTBEAT_TIMEOUT, "silent");
        assertThat(scheduler.localityHint()).containsExactly(B);
    }

    private List<ResultTask<Integer>> tasksOver(Dataset<?> ds, int stageId) {
        TaskFunction<Integer> fn = (p, ctx) -> p * 10;
        var tasks = new ArrayList<ResultTask<Integer>>();
        for (int p = 0; p < ds.numPartitions(); p++) {
            tasks.add(new ResultTask<>(stageId, p, ds, fn));
        }
        return tasks;
    }

    @Test
    void tasksReadingBlocksRunOnTheExecutorHoldingThemEvenWhenAnotherHasMoreFreeSlots() throws Exception {
        execA.behaviour = (task, launch) -> success(task);
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 4);
        join(B, execB, 1);
        String atB = scheduler.locationOf(B);
        var blocks = new BlockDataset<Integer>(local, List.of("input-0-1", "input-0-2", "input-0-3"),
                List.of(List.of(atB), List.of(atB), List.of(atB)));

        assertThat(scheduler.runTasks("local reads", tasksOver(blocks, 0))).containsExactly(0, 10, 20);
        assertThat(execB.launches.get()).as("each task waited for B's one slot").isEqualTo(3);
        assertThat(execA.launches.get()).isZero();
    }

    @Test
    void afterTheLocalityWaitTasksRunWhereverASlotIsFree() throws Exception {
        scheduler.close();
        scheduler = new ClusterTaskScheduler("app-test", conf.copy().set(SluiceConf.LOCALITY_WAIT, Duration.ZERO),
                serializer, driver.clientFactory(), tracker, clock);
        var releaseB = new CompletableFuture<Void>();
        execA.behaviour = (task, launch) -> success(task);
        execB.behaviour = (task, launch) -> releaseB.thenApply(v -> new TaskResult.Success<>(task.partition() * 10));
        join(A, execA, 4);
        join(B, execB, 1);
        String atB = scheduler.locationOf(B);
        var blocks = new BlockDataset<Integer>(local, List.of("input-0-1", "input-0-2", "input-0-3"),
                List.of(List.of(atB), List.of(atB), List.of(atB)));

        var stage = CompletableFuture.supplyAsync(() -> scheduler.runTasks("no wait", tasksOver(blocks, 0)));
        Await.until("two tasks on A", () -> execA.launches.get() == 2, Duration.ofSeconds(10));
        releaseB.complete(null);
        assertThat(stage.get(10, java.util.concurrent.TimeUnit.SECONDS)).containsExactly(0, 10, 20);
        assertThat(execB.launches.get()).as("the first task found B free").isEqualTo(1);
    }

    @Test
    void statePartitionsStayOnTheirExecutorAndMoveWhenItIsLost() throws Exception {
        execA.behaviour = (task, launch) -> success(task);
        execB.behaviour = (task, launch) -> success(task);
        join(A, execA, 2);
        join(B, execB, 2);
        var lost = new ArrayList<Set<Integer>>();
        scheduler.addStateLossListener(lost::add);
        var spec = new StoreSpec("counts", 4, new Time(0), false);
        var state = new StateDataset<Integer, Integer>(local, "updateStateByKey", spec, new HashPartitioner(4),
                new Time(0), new Time(1000), List.of(data), (tx, p, ctx) -> { }, null, null, true);

        for (int stage = 0; stage < 3; stage++) {
            assertThat(scheduler.runTasks("state " + stage, tasksOver(state, stage))).containsExactly(0, 10, 20, 30);
        }
        Map<Integer, ExecutorId> hosts = scheduler.stateHosts();
        assertThat(hosts).hasSize(4);
        assertThat(hosts.values()).as("spread over both executors").containsOnly(A, B).contains(A, B);
        assertThat(execA.launches.get()).isEqualTo(3 * (int) hosts.values().stream().filter(A::equals).count());
        assertThat(scheduler.tryReserveForRelease(B)).as("B hosts state partitions").isFalse();
        assertThat(scheduler.localityHint()).as("new executors go near the state").containsExactlyInAnyOrder(A, B);

        var onB = new java.util.TreeSet<Integer>();
        hosts.forEach((slot, id) -> {
            if (id.equals(B)) {
                onB.add(slot);
            }
        });
        scheduler.executorLost(B, ExecutorLossReason.HEARTBEAT_TIMEOUT, "silent");
        assertThat(lost).containsExactly(onB);
        assertThat(scheduler.runTasks("state after loss", tasksOver(state, 9))).containsExactly(0, 10, 20, 30);
        assertThat(scheduler.stateHosts()).hasSize(4).allSatisfy((slot, id) -> assertThat(id).isEqualTo(A));
        assertThat(scheduler.localityHint()).containsExactly(A);
    }

    @Test
    void aTaskReadingStatePartitionsOfDifferentSlotsIsRefusedWithAnExplanation() throws Exception {
        execA.behaviour = (task, launch) -> success(task);
        join(A, execA, 2);
        var spec = new StoreSpec("counts", 4, new Time(0), false);
        var state = new StateDataset<Integer, Integer>(local, "updateStateByKey", spec, new HashPartitioner(4),
                new Time(0), new Time(1000), List.of(data), (tx, p, ctx) -> { }, null, null, true);

        assertThatThrownBy(() -> scheduler.runTasks("coalesced", tasksOver(state.coalesce(1), 0)))
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("reads state partitions [0, 1, 2, 3], which live on different executors");
    }
}
