package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.rpc.TransportContext;
import java.net.InetSocketAddress;

/**
 * What an executor runs besides registration and heartbeats — the seam where task launch (a task endpoint over an
 * {@code ExecutorEnv}) and block serving plug in. {@link ExecutorProcess} calls {@link #start} once, after the
 * registration was accepted (so {@code context.conf()} already holds the driver's settings) and before the first
 * heartbeat, on the thread that runs the executor; it calls {@link #close} once before it closes the transport,
 * also when {@code start} threw. A failing {@code start} ends the executor with {@link ExecutorExitCode#FAILED}.
 */
public interface ExecutorServices extends AutoCloseable {

    /**
     * @param id        this executor
     * @param conf      the executor's configuration, including the driver's
     * @param transport this executor's transport: register endpoints on {@code transport.dispatcher()}; its server
     *                  is the address the driver knows
     * @param driver    the driver's RPC address
     */
    record Context(ExecutorId id, String appId, int cores, SluiceConf conf, TransportContext transport,
                   InetSocketAddress driver) {
    }

    /** Tasks running now, and finished since the executor started: successfully, or failed (fetch failures too). */
    record TaskCounts(int active, long completed, long failed) {
        public static final TaskCounts NONE = new TaskCounts(0, 0, 0);
    }

    /** The task counts reported with each heartbeat; called on the heartbeat thread, so it must not block. */
    default TaskCounts taskCounts() {
        return TaskCounts.NONE;
    }

    /** No services: the executor registers and heartbeats only. */
    ExecutorServices NONE = new ExecutorServices() {
        @Override
        public void start(Context context) {
        }

        @Override
        public void close() {
        }
    };

    void start(Context context) throws Exception;

    @Override
    void close();
}
