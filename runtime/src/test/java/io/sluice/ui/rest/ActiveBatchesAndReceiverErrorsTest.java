package io.sluice.ui.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.receiver.Await;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import io.sluice.ui.HttpGet;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the REST API and the metrics show while batches queue up behind a running one, and after a receiver error. */
class ActiveBatchesAndReceiverErrorsTest {

    @Test
    void aRunningBatchIsProcessingAndTheNextOneQueuedUntilTheFirstCompletes() throws InterruptedException {
        var started = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            var input = new TestInputDStream<>(ssc, List.of(List.of(1, 2), List.of(3)), 1);
            input.foreachRDD((ds, time) -> {
                if (time.milliseconds() == 1000) {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS);
                }
            });
            input.foreachRDD(ds -> ds.count());
            try {
                ssc.start();
                var http = new HttpGet(ssc.uiServer().orElseThrow().url());
                String app = ssc.context().appId();
                String streaming = "/api/v1/applications/" + app + "/streaming";
                harness.clock().advance(1000);
                assertThat(started.await(60, TimeUnit.SECONDS)).as("batch 1000 started").isTrue();
                harness.clock().advance(1000);
                Await.until("batch 2000 queued behind batch 1000, whose first operation runs", () -> {
                    var b = http.array(streaming + "/batches");
                    return b.size() == 2 && "QUEUED".equals(b.get(0).get("status"))
                            && Long.valueOf(1).equals(b.get(1).get("numActiveOutputOps"));
                }, Duration.ofSeconds(60));

                var batches = http.array(streaming + "/batches");
                assertThat(batches.get(0)).containsEntry("batchId", 2000L).containsEntry("status", "QUEUED")
                        .containsEntry("inputSize", 1L).containsEntry("numTotalOutputOps", 2L)
                        .containsEntry("numActiveOutputOps", 0L)
                        .doesNotContainKeys("schedulingDelay", "processingTime", "totalDelay");
                assertThat(batches.get(1)).containsEntry("batchId", 1000L).containsEntry("status", "PROCESSING")
                        .containsEntry("inputSize", 2L).containsEntry("schedulingDelay", 0L)
                        .containsEntry("numCompletedOutputOps", 0L)
                        .doesNotContainKeys("processingTime", "totalDelay");
                var ops = http.array(streaming + "/batches/1000/operations");
                assertThat(ops.get(0)).containsEntry("startTime", "1970-01-01T00:00:01.000Z")
                        .doesNotContainKeys("endTime", "duration", "failureReason");
                assertThat(ops.get(1)).doesNotContainKeys("startTime", "endTime", "duration");

                var stats = http.object(streaming + "/statistics");
                assertThat(stats).containsEntry("numActiveBatches", 2L).containsEntry("numTotalCompletedBatches", 0L)
                        .containsEntry("numRetainedCompletedBatches", 0L).containsEntry("numReceivedRecords", 3L)
                        .containsEntry("numProcessedRecords", 0L)
                        .doesNotContainKeys("avgInputRate", "avgSchedulingDelay", "avgProcessingTime", "avgTotalDelay");

                @SuppressWarnings("unchecked")
                var gauges = (Map<String, Map<String, Object>>) http.object("/metrics/json").get("gauges");
                String g = app + ".driver.sluice-test.StreamingMetrics.streaming.";
                assertThat(gauges.get(g + "runningBatches")).containsEntry("value", 1L);
                assertThat(gauges.get(g + "waitingBatches")).containsEntry("value", 1L);
                assertThat(gauges.get(g + "unprocessedBatches")).containsEntry("value", 2L);
                assertThat(gauges.get(g + "lastReceivedBatch_records")).containsEntry("value", 1L);
                assertThat(gauges.get(g + "lastReceivedBatch_submissionTime")).containsEntry("value", 2000L);
                assertThat(gauges.get(g + "lastReceivedBatch_processingStartTime")).containsEntry("value", -1L);
                assertThat(gauges.get(g + "lastCompletedBatch_processingDelay")).containsEntry("value", -1L);

                release.countDown();
                assertThat(ssc.jobScheduler().awaitCompletedBatches(2, Duration.ofSeconds(60))).isTrue();
                assertThat(ssc.listenerBus().waitUntilEmpty(Duration.ofSeconds(60))).isTrue();
                assertThat(http.object(streaming + "/statistics")).containsEntry("numActiveBatches", 0L)
                        .containsEntry("numTotalCompletedBatches", 2L).containsEntry("numProcessedRecords", 3L);
                assertThat(http.array(streaming + "/batches")).extracting(b -> b.get("status"))
                        .containsExactly("COMPLETED", "COMPLETED");
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aReceiverErrorShowsItsMessageStackAndTime() {
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            var receiver = new ControlledReceiver<String>();
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            harness.runBatches(1);
            Await.until("the receiver started", receiver::isStarted);
            receiver.reportError("lost the connection", new IOException("connection reset"));
            var http = new HttpGet(ssc.uiServer().orElseThrow().url());
            String path = "/api/v1/applications/" + ssc.context().appId() + "/streaming/receivers/0";
            Await.until("the error is reported", () -> http.object(path).containsKey("lastErrorMessage"));
            var r = http.object(path);
            assertThat(r).containsEntry("lastErrorMessage", "lost the connection")
                    .containsEntry("lastErrorTime", "1970-01-01T00:00:01.000Z")
                    .containsEntry("isActive", true);
            assertThat((String) r.get("lastError")).contains("java.io.IOException: connection reset");
        }
    }
}
