package io.sluice.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.receiver.Await;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import io.sluice.ui.HttpGet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The driver's metrics carry each executor's own figures, as its heartbeats report them. */
class ExecutorMetricsOnLocalClusterTest {

    /** The value of the sample line that starts with {@code nameAndLabels}, or -1 if there is none. */
    private static double value(String text, String nameAndLabels) {
        return text.lines().filter(l -> l.startsWith(nameAndLabels + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(nameAndLabels.length() + 1))).findFirst().orElse(-1);
    }

    @Test
    void eachExecutorsHeapThreadsCoresAndTaskCountsAppearWithItsExecutorId() throws Exception {
        Path workDir = Files.createTempDirectory("sluice-executor-metrics");
        var conf = new SluiceConf(false).setMaster("local-cluster[1,1,512]").setAppName("executor-metrics")
                .set(SluiceConf.CLOCK, "manual")
                .set(SluiceConf.UI_PORT, 0)
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_HEARTBEAT_INTERVAL, Duration.ofMillis(100))
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120));
        try (var sc = new SluiceContext(conf); var harness = StreamingTestKit.create().context(sc).checkpoint(false).open()) {
            new TestInputDStream<>(harness.context(), List.of(List.of(1, 2, 3)), 1).foreachRDD(ds -> ds.count());
            harness.runBatches(1);
            var http = new HttpGet(harness.context().uiServer().orElseThrow().url());
            String executorId = sc.appId() + "-exec-1-1";
            String labels = "{app_id=\"" + sc.appId() + "\",app_name=\"executor-metrics\",executor_id=\"" + executorId + "\"}";
            Await.until("the executor's heartbeat figures are in /metrics/prometheus",
                    () -> http.get("/metrics/prometheus").body().contains("jvm_memory_heap_used_bytes" + labels));
            Await.until("a heartbeat after the batch's task reports it completed", () -> value(
                    http.get("/metrics/prometheus").body(), "sluice_executor_completed_tasks_total" + labels) >= 1);
            String text = http.get("/metrics/prometheus").body();
            assertThat(value(text, "sluice_executor_failed_tasks_total" + labels)).isZero();
            assertThat(value(text, "sluice_executor_active_tasks" + labels)).isZero();
            assertThat(text).contains("sluice_executor_cores" + labels + " 1\n", "jvm_threads_live" + labels + " ",
                    "jvm_memory_heap_max_bytes" + labels + " ",
                    "sluice_executors_registered{app_id=\"" + sc.appId() + "\",app_name=\"executor-metrics\",executor_id=\"driver\"} 1\n");
            @SuppressWarnings("unchecked")
            var gauges = (Map<String, Map<String, Object>>) http.object("/metrics/json").get("gauges");
            assertThat((Long) gauges.get(sc.appId() + "." + executorId + ".jvm.heap.used").get("value")).isPositive();
        } finally {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
