package io.sluice.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * This JVM's heap, non-heap, garbage collection and thread figures, under {@code <appId>.<executorId>.jvm.*} in
 * {@code /metrics/json} (the names of Dropwizard's JVM metric sets) and as {@code jvm_*} families with an
 * {@code executor_id} label (and {@code gc} for collectors) in {@code /metrics/prometheus}.
 */
public final class JvmMetrics implements MetricSource {
    private final String keyPrefix;
    private final Map<String, String> labels;

    /** @param executorId {@code driver} on the driver */
    public JvmMetrics(String appId, String executorId) {
        this.keyPrefix = appId + "." + executorId + ".jvm.";
        this.labels = Map.of("executor_id", executorId);
    }

    @Override
    public List<Sample> collect() {
        var out = new ArrayList<Sample>();
        var memory = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        out.add(Sample.gauge(keyPrefix + "heap.used", "jvm_memory_heap_used_bytes", "Heap in use, in bytes.", labels, heap.getUsed()));
        out.add(Sample.gauge(keyPrefix + "heap.committed", "jvm_memory_heap_committed_bytes", "Heap committed by the JVM, in bytes.",
                labels, heap.getCommitted()));
        out.add(Sample.gauge(keyPrefix + "heap.max", "jvm_memory_heap_max_bytes", "The most heap the JVM may use, in bytes (-1 if undefined).",
                labels, heap.getMax()));
        out.add(Sample.gauge(keyPrefix + "non-heap.used", "jvm_memory_nonheap_used_bytes", "Non-heap memory in use, in bytes.",
                labels, nonHeap.getUsed()));
        out.add(Sample.gauge(keyPrefix + "non-heap.committed", "jvm_memory_nonheap_committed_bytes",
                "Non-heap memory committed by the JVM, in bytes.", labels, nonHeap.getCommitted()));
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            String name = gc.getName().replace(' ', '-');
            var gcLabels = Map.of("executor_id", labels.get("executor_id"), "gc", gc.getName());
            out.add(Sample.counter(keyPrefix + name + ".count", "jvm_gc_collections_total",
                    "Garbage collections since the JVM started, per collector.", gcLabels, Math.max(0, gc.getCollectionCount())));
            out.add(Sample.counter(keyPrefix + name + ".time", "jvm_gc_collection_seconds_total",
                    "Time spent in garbage collection since the JVM started, per collector, in seconds.",
                    gcLabels, Math.max(0, gc.getCollectionTime()) / 1000.0));
        }
        var threads = ManagementFactory.getThreadMXBean();
        out.add(Sample.gauge(keyPrefix + "threads.count", "jvm_threads_live", "Live threads.", labels, (long) threads.getThreadCount()));
        out.add(Sample.gauge(keyPrefix + "threads.daemon.count", "jvm_threads_daemon", "Live daemon threads.", labels,
                (long) threads.getDaemonThreadCount()));
        out.add(Sample.gauge(keyPrefix + "uptime", "jvm_uptime_seconds", "Time since the JVM started, in seconds.",
                labels, ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
        return out;
    }
}
