package io.sluice.executor;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.cluster.ExecutorId;
import java.util.Map;

/**
 * The messages between an executor and the driver's {@link ExecutorRegistry}, and the endpoint names they go to.
 *
 * <p>Sequence: the executor asks {@value #REGISTRY_ENDPOINT} with {@link RegisterExecutor} and gets
 * {@link Registered} (with the driver's configuration) or {@link RegistrationRejected}; then it asks
 * {@link Heartbeat} every {@code sluice.executor.heartbeatInterval} and gets a {@link HeartbeatReply}. The driver asks
 * the executor's {@value #EXECUTOR_ENDPOINT} endpoint (on the executor's own RPC server) with {@link StopExecutor};
 * tasks go to its {@value TaskMessages#TASKS_ENDPOINT} endpoint (see {@link TaskMessages}).
 */
public final class ExecutorMessages {
    /** The driver's endpoint executors register and heartbeat with. */
    public static final String REGISTRY_ENDPOINT = "executor-registry";
    /** The executor's endpoint the driver sends commands to. */
    public static final String EXECUTOR_ENDPOINT = "executor";

    private ExecutorMessages() {
    }

    /**
     * An executor announces itself.
     *
     * @param host  the address its RPC server is reachable at
     * @param port  its RPC server's port
     * @param cores the task slots it offers
     * @param pid   its process id, for diagnostics
     */
    public record RegisterExecutor(ExecutorId id, String appId, String host, int port, int cores, long pid) {
    }

    /** The reply to {@link RegisterExecutor}. */
    public sealed interface RegistrationReply permits Registered, RegistrationRejected {
    }

    /** Accepted; {@code driverConf} holds the driver's {@code sluice.*} settings, which the executor adopts. */
    public record Registered(Map<String, String> driverConf) implements RegistrationReply {
    }

    /** Refused (a duplicate, an id the driver never launched, another application); the executor exits. */
    public record RegistrationRejected(String reason) implements RegistrationReply {
    }

    /**
     * What an executor reports about itself with each heartbeat: its JVM's figures and its task counts (tasks
     * running now, and finished since it started, successfully or not).
     */
    public record ExecutorMetrics(long heapUsedBytes, long heapFreeBytes, long heapMaxBytes, int liveThreads,
                                  long uptimeMs, int activeTasks, long completedTasks, long failedTasks) {
        /** The calling JVM's figures now, with no tasks. */
        public static ExecutorMetrics ofThisJvm() {
            return ofThisJvm(ExecutorServices.TaskCounts.NONE);
        }

        /** The calling JVM's figures now, with the executor's task counts. */
        public static ExecutorMetrics ofThisJvm(ExecutorServices.TaskCounts tasks) {
            Runtime rt = Runtime.getRuntime();
            long total = rt.totalMemory();
            long free = rt.freeMemory();
            return new ExecutorMetrics(total - free, rt.maxMemory() - (total - free), rt.maxMemory(),
                    Thread.activeCount(), java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(),
                    tasks.active(), tasks.completed(), tasks.failed());
        }
    }

    /** "Still alive"; {@code sequence} counts heartbeats from 1. */
    public record Heartbeat(ExecutorId id, long sequence, ExecutorMetrics metrics) {
    }

    /**
     * The reply to {@link Heartbeat}. {@code known} is false when the driver no longer counts the executor (it was
     * declared lost or never registered); the executor then exits, since its replacement is already on the way.
     */
    public record HeartbeatReply(boolean known) {
    }

    /** The driver asks the executor to exit (code 0); the reply is {@code Boolean.TRUE} once the exit has begun. */
    public record StopExecutor(String reason) {
    }

    /** Registers these messages with Kryo, so they work with {@code sluice.kryo.registrationRequired}. */
    public static void registerWith(Kryo kryo) {
        kryo.register(ExecutorId.class);
        kryo.register(RegisterExecutor.class);
        kryo.register(Registered.class);
        kryo.register(RegistrationRejected.class);
        kryo.register(ExecutorMetrics.class);
        kryo.register(Heartbeat.class);
        kryo.register(HeartbeatReply.class);
        kryo.register(StopExecutor.class);
        kryo.register(java.util.TreeMap.class);
    }
}
