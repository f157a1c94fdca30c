package io.sluice.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The executors' own figures as the driver last heard them (each heartbeat carries the executor's heap, thread
 * and task counts), under {@code <appId>.<executorId>.executor.*} / {@code <appId>.<executorId>.jvm.*} in
 * {@code /metrics/json} and, in {@code /metrics/prometheus}, in the same {@code jvm_*} families as the driver's
 * {@link JvmMetrics} with the executor's {@code executor_id}, plus {@code sluice_executors_registered},
 * {@code sluice_executor_cores} and the task counts {@code sluice_executor_active_tasks},
 * {@code sluice_executor_completed_tasks_total} and {@code sluice_executor_failed_tasks_total}.
 */
public final class ExecutorMetrics implements MetricSource {

    /** One registered executor; {@code heapUsedBytes} and the rest are -1 until its first heartbeat. */
    public record Executor(String executorId, String host, int cores, long heapUsedBytes, long heapMaxBytes,
                           int liveThreads, long uptimeMs, int activeTasks, long completedTasks, long failedTasks,
                           long lastHeartbeatMs) {
    }

    private final String appId;
    private final Supplier<List<Executor>> executors;

    public ExecutorMetrics(String appId, Supplier<List<Executor>> executors) {
        this.appId = appId;
        this.executors = executors;
    }

    @Override
    public List<Sample> collect() {
        var out = new ArrayList<Sample>();
        List<Executor> all = executors.get();
        out.add(Sample.gauge(appId + ".driver.executors.registered", "sluice_executors_registered",
                "Executors registered with the driver.", Map.of("executor_id", "driver"), (long) all.size()));
        for (Executor e : all) {
            var labels = Map.of("executor_id", e.executorId());
            String key = appId + "." + e.executorId() + ".";
            out.add(Sample.gauge(key + "executor.cores", "sluice_executor_cores", "Task slots of the executor.", labels,
                    (long) e.cores()));
            if (e.lastHeartbeatMs() < 0) {
                continue;
            }
            out.add(Sample.gauge(key + "jvm.heap.used", "jvm_memory_heap_used_bytes", "Heap in use, in bytes.", labels,
                    e.heapUsedBytes()));
            out.add(Sample.gauge(key + "jvm.heap.max", "jvm_memory_heap_max_bytes",
                    "The most heap the JVM may use, in bytes (-1 if undefined).", labels, e.heapMaxBytes()));
            out.add(Sample.gauge(key + "jvm.threads.count", "jvm_threads_live", "Live threads.", labels, (long) e.liveThreads()));
            out.add(Sample.gauge(key + "jvm.uptime", "jvm_uptime_seconds", "Time since the JVM started, in seconds.", labels,
                    e.uptimeMs() / 1000.0));
            out.add(Sample.gauge(key + "executor.threadpool.activeTasks", "sluice_executor_active_tasks",
                    "Tasks running on the executor.", labels, (long) e.activeTasks()));
            out.add(Sample.counter(key + "executor.threadpool.completeTasks", "sluice_executor_completed_tasks_total",
                    "Tasks the executor finished successfully since it started.", labels, e.completedTasks()));
            out.add(Sample.counter(key + "executor.threadpool.failedTasks", "sluice_executor_failed_tasks_total",
                    "Tasks that failed on the executor since it started (fetch failures included).", labels, e.failedTasks()));
            out.add(Sample.gauge(key + "executor.lastHeartbeatTime", "sluice_executor_last_heartbeat_timestamp_ms",
                    "When the driver last heard from the executor (driver clock ms).", labels, e.lastHeartbeatMs()));
        }
        return out;
    }
}
