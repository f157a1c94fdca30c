package io.sluice.executor;

import io.sluice.batch.Task;
import io.sluice.executor.TaskMessages.LaunchTask;
import io.sluice.executor.TaskMessages.ReleaseDataset;
import io.sluice.executor.TaskMessages.ReleaseShuffle;
import io.sluice.executor.TaskMessages.ShuffleStreams;
import io.sluice.executor.TaskMessages.TaskOutcome;
import io.sluice.rpc.RpcCallContext;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.serde.Serializer;
import io.sluice.shuffle.RpcShuffleBlockFetcher;
import io.sluice.shuffle.ShuffleBlockChannel;
import io.sluice.util.NamedThreadFactory;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What makes an executor run tasks, as its {@link ExecutorServices}: an {@link ExecutorEnv}, a pool of
 * {@code cores} task threads ({@code sluice-task-<executor>-N}), the {@value TaskMessages#TASKS_ENDPOINT} endpoint
 * and the stream provider serving this executor's shuffle blocks.
 *
 * <p>{@link #start} ends by telling the driver the executor is ready for tasks ({@link TaskMessages.ExecutorReady});
 * if the driver cannot be told, it throws and the executor exits (a driver without that endpoint, which schedules no
 * tasks, is only logged).
 *
 * <p>{@link LaunchTask}: the task is deserialized and run by {@link TaskRunner} on a task thread with the attempt the
 * driver gave; the reply, a {@link TaskOutcome}, carries the serialized {@link TaskResult}. A task that cannot be
 * deserialized, or whose result cannot be serialized, replies a {@link TaskResult.Failure} saying so. The endpoint
 * returns at once (the reply completes later), so launches never wait for running tasks. A task that reports a fetch
 * failure drops the cached locations of that shuffle, and a launch with a newer epoch drops them all (see
 * {@link DriverMapOutputLocations}). {@link ReleaseShuffle} and {@link ReleaseDataset} drop data.
 *
 * <p>Streams {@code block/<blockId>} serve received blocks ({@link ReceiverService#openBlockStream}); streams
 * {@code shuffle/<shuffleId>/<reduceId>/<maps>} serve the blocks of this executor's store
 * ({@link ShuffleBlockChannel}); reducers elsewhere read them with a {@link RpcShuffleBlockFetcher}.
 *
 * <p>The {@value io.sluice.receiver.ReceiverMessages#RECEIVERS_ENDPOINT} endpoint is a {@link ReceiverService} over the
 * same block store: receivers the driver places here, and received blocks other executors' tasks read.
 *
 * <p>{@link #close} stops the receivers, interrupts running tasks, waits for the task threads (bounded) and deletes the executor's
 * scratch files.
 */
public final class TaskService implements ExecutorServices, RpcEndpoint {
    private static final Logger LOG = LogManager.getLogger(TaskService.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private volatile Context context;
    private volatile ExecutorEnv env;
    private volatile DriverMapOutputLocations locations;
    private volatile ExecutorService taskThreads;
    private volatile Serializer serializer;
    private volatile ReceiverService receivers;
    private final java.util.concurrent.atomic.AtomicInteger activeTasks = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong completedTasks = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failedTasks = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public TaskCounts taskCounts() {
        return new TaskCounts(activeTasks.get(), completedTasks.get(), failedTasks.get());
    }

    @Override
    public void start(Context ctx) throws Exception {
        this.context = ctx;
        Duration timeout = ctx.conf().get(io.sluice.conf.SluiceConf.NETWORK_TIMEOUT);
        Duration askTimeout = ctx.transport().settings().askTimeout();
        var clients = ctx.transport().clientFactory();
        this.locations = new DriverMapOutputLocations(ctx.id(), clients, ctx.driver(), askTimeout);
        this.env = new ExecutorEnv(ctx.id(), ctx.conf(), locations,
                new RpcShuffleBlockFetcher(clients, locations::address, timeout));
        this.serializer = env.serializer();
        this.taskThreads = Executors.newFixedThreadPool(ctx.cores(), new NamedThreadFactory("sluice-task-" + ctx.id(), true));
        ctx.transport().dispatcher().setStreamProvider(this::openStream);
        ctx.transport().dispatcher().registerEndpoint(TaskMessages.TASKS_ENDPOINT, this);
        this.receivers = new ReceiverService(ctx.id().toString(), env.blockStore(), serializer, clients, ctx.driver(), askTimeout,
                dir -> io.sluice.wal.FileSystemWriteAheadLog.open(dir, env.hadoopConf(),
                        io.sluice.wal.WalSettings.forReceivedData(ctx.conf())),
                ctx.conf().get(io.sluice.conf.SluiceConf.RPC_MAX_FRAME_BYTES));
        env.setRemoteBlocks(receivers::fetchBlock);
        ctx.transport().dispatcher().registerEndpoint(io.sluice.receiver.ReceiverMessages.RECEIVERS_ENDPOINT, receivers);
        // only now may the driver send tasks
        try {
            clients.client(ctx.driver()).ask(TaskMessages.SCHEDULER_ENDPOINT, new TaskMessages.ExecutorReady(ctx.id()), askTimeout)
                    .get(askTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof io.sluice.rpc.RemoteRpcException r
                    && io.sluice.rpc.UnknownEndpointException.class.getName().equals(r.remoteClassName()))) {
                throw e;
            }
            // a driver that manages executors without scheduling tasks (tools, tests of the executor lifecycle)
            LOG.warn("Executor {} of {}: the driver at {} has no {} endpoint; it will not send tasks", ctx.id(),
                    ctx.appId(), ctx.driver(), TaskMessages.SCHEDULER_ENDPOINT);
        }
        LOG.info("Executor {} of {} runs tasks on {} threads; scratch directory {}", ctx.id(), ctx.appId(), ctx.cores(),
                env.scratchDir());
    }

    /** The environment tasks run with; null before {@link #start}. */
    public ExecutorEnv env() {
        return env;
    }

    @Override
    public Object receive(RpcCallContext ctx, Object message) {
        if (message instanceof LaunchTask launch) {
            locations.observeEpoch(launch.epoch());
            var reply = new CompletableFuture<TaskOutcome>();
            try {
                taskThreads.execute(() -> reply.complete(run(launch)));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                reply.completeExceptionally(new IllegalStateException("executor " + context.id() + " is stopping"));
            }
            return reply;
        }
        if (message instanceof ReleaseShuffle release) {
            env.shuffleBlocks().release(release.shuffleId());
            locations.invalidate(release.shuffleId());
            return Boolean.TRUE;
        }
        if (message instanceof ReleaseDataset release) {
            env.blockStore().removeDataset(release.datasetId());
            return Boolean.TRUE;
        }
        if (message instanceof TaskMessages.ForgetState forget) {
            env.stateStores().forgetUpTo(forget.storeKey(), new io.sluice.api.Time(forget.upToMs()));
            return Boolean.TRUE;
        }
        throw new IllegalArgumentException("the task endpoint of executor " + context.id() + " does not handle "
                + message.getClass().getName());
    }

    private TaskOutcome run(LaunchTask launch) {
        activeTasks.incrementAndGet();
        try {
            return runCounted(launch);
        } finally {
            activeTasks.decrementAndGet();
        }
    }

    private TaskOutcome runCounted(LaunchTask launch) {
        Task<?> task = null;
        TaskResult<?> result;
        try {
            task = serializer.deserialize(launch.task());
            LOG.debug("Executor {}: running task {} = {} (attempt {})", context.id(), launch.taskId(), task, launch.attempt());
            result = TaskRunner.run(task, launch.attempt(), env);
        } catch (RuntimeException | LinkageError e) {
            // TaskRunner reports what the task throws itself: this is the deserialization failing
            LOG.error("Executor {}: cannot deserialize task {} (attempt {})", context.id(), launch.taskId(), launch.attempt(), e);
            result = TaskResult.Failure.of(new IllegalStateException("executor " + context.id()
                    + " cannot deserialize the task: " + e, e));
        }
        (result instanceof TaskResult.Success<?> ? completedTasks : failedTasks).incrementAndGet();
        if (result instanceof TaskResult.FetchFailed<?> f) {
            locations.invalidate(f.shuffleId());
        }
        try {
            return new TaskOutcome(serializer.serialize(result));
        } catch (RuntimeException e) {
            LOG.error("Executor {}: cannot serialize the result of {}", context.id(), task, e);
            return new TaskOutcome(serializer.serialize(TaskResult.Failure.of(new IllegalStateException(
                    "the result of the task cannot be serialized: " + e.getMessage(), e))));
        }
    }

    private ReadableByteChannel openStream(String streamId) {
        if (streamId.startsWith(ReceiverService.BLOCK_STREAM_PREFIX)) {
            return receivers.openBlockStream(streamId.substring(ReceiverService.BLOCK_STREAM_PREFIX.length()));
        }
        int[] parsed = ShuffleStreams.parse(streamId);
        int[] maps = Arrays.copyOfRange(parsed, 2, parsed.length);
        return new ShuffleBlockChannel(env.shuffleBlocks().blocks(parsed[0], parsed[1], maps));
    }

    @Override
    public void close() {
        ReceiverService r = receivers;
        if (r != null) {
            r.close();
        }
        ExecutorService threads = taskThreads;
        if (threads != null) {
            threads.shutdownNow();
            try {
                if (!threads.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Executor {}: task threads did not stop within {} ms", context.id(), CLOSE_WAIT.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (env != null) {
            env.close();
        }
    }
}
