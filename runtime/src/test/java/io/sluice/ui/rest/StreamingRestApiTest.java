package io.sluice.ui.rest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.receiver.Await;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import io.sluice.ui.HttpGet;
import io.sluice.ui.json.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every REST endpoint against a running job on local[2] with a manual clock: three one-second batches of 3, 0 and 5
 * records, two output operations of which the second fails in the second batch, and two retained batches. The
 * clock stands still while a batch runs, so every delay is 0 and every time is the batch time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingRestApiTest {
    private StreamingTestKit.Harness harness;
    private HttpGet http;
    private String appId;
    private String base;

    @BeforeAll
    void runThreeBatches() {
        harness = StreamingTestKit.create().conf(SluiceConf.UI_RETAINED_BATCHES.name(), "2").open();
        StreamingContext ssc = harness.context();
        var input = new TestInputDStream<>(ssc, List.of(List.of("a", "b", "c"), List.<String>of(), List.of("d", "e", "f", "g", "h")), 2);
        input.foreachRDD(ds -> ds.count());
        input.foreachRDD((ds, time) -> {
            if (time.milliseconds() == 2000) {
                throw new IllegalStateException("boom in batch 2000");
            }
        });
        harness.runBatches(3);
        http = new HttpGet(ssc.uiServer().orElseThrow().url());
        appId = ssc.context().appId();
        base = "/api/v1/applications/" + appId + "/streaming";
    }

    @AfterAll
    void stop() {
        harness.close();
    }

    @Test
    void applicationsListsTheRunningApplication() {
        var apps = http.array("/api/v1/applications");
        assertThat(apps).hasSize(1);
        assertThat(apps.get(0)).containsEntry("id", appId).containsEntry("name", "sluice-test");
        @SuppressWarnings("unchecked")
        var attempt = ((List<Map<String, Object>>) apps.get(0).get("attempts")).get(0);
        assertThat(attempt).containsEntry("completed", false).containsEntry("attemptId", "1");
        assertThat((String) attempt.get("startTime")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void applicationByIdIsTheSameApplication() {
        assertThat(http.object("/api/v1/applications/" + appId)).containsEntry("id", appId).containsEntry("name", "sluice-test");
    }

    @Test
    void statisticsHaveTheSeedsFourteenFieldsWithTheJobsValues() {
        var stats = http.object(base + "/statistics");
        assertThat(stats.keySet()).containsExactly("startTime", "batchDuration", "numReceivers", "numActiveReceivers",
                "numInactiveReceivers", "numTotalCompletedBatches", "numRetainedCompletedBatches", "numActiveBatches",
                "numProcessedRecords", "numReceivedRecords", "avgInputRate", "avgSchedulingDelay", "avgProcessingTime",
                "avgTotalDelay");
        assertThat(stats).containsEntry("startTime", "1970-01-01T00:00:00.000Z")
                .containsEntry("batchDuration", 1000L)
                .containsEntry("numReceivers", 0L)
                .containsEntry("numActiveReceivers", 0L)
                .containsEntry("numInactiveReceivers", 0L)
                .containsEntry("numTotalCompletedBatches", 3L)
                .containsEntry("numRetainedCompletedBatches", 2L)
                .containsEntry("numActiveBatches", 0L)
                .containsEntry("numProcessedRecords", 8L)
                .containsEntry("numReceivedRecords", 8L)
                .containsEntry("avgInputRate", 2.5) // (0 + 5) records per 1 s batch over the 2 retained batches
                .containsEntry("avgSchedulingDelay", 0.0)
                .containsEntry("avgProcessingTime", 0.0)
                .containsEntry("avgTotalDelay", 0.0);
    }

    @Test
    void batchesListsTheRetainedBatchesNewestFirst() {
        var batches = http.array(base + "/batches");
        assertThat(batches).extracting(b -> b.get("batchId")).containsExactly(3000L, 2000L);
        assertThat(batches.get(0)).containsEntry("batchTime", "1970-01-01T00:00:03.000Z")
                .containsEntry("status", "COMPLETED")
                .containsEntry("batchDuration", 1000L)
                .containsEntry("inputSize", 5L)
                .containsEntry("schedulingDelay", 0L)
                .containsEntry("processingTime", 0L)
                .containsEntry("totalDelay", 0L)
                .containsEntry("numActiveOutputOps", 0L)
                .containsEntry("numCompletedOutputOps", 2L)
                .containsEntry("numFailedOutputOps", 0L)
                .containsEntry("numTotalOutputOps", 2L)
                .doesNotContainKey("firstFailureReason");
        assertThat(batches.get(1)).containsEntry("inputSize", 0L)
                .containsEntry("numCompletedOutputOps", 1L)
                .containsEntry("numFailedOutputOps", 1L);
        assertThat((String) batches.get(1).get("firstFailureReason")).contains("boom in batch 2000");
    }

    @Test
    void batchesFilterByStatus() {
        assertThat(http.array(base + "/batches?status=COMPLETED")).hasSize(2);
        assertThat(http.array(base + "/batches?status=queued")).isEmpty();
        assertThat(http.get(base + "/batches?status=LOST").statusCode()).isEqualTo(404);
    }

    @Test
    void oneBatchById() {
        var batch = http.object(base + "/batches/3000");
        assertThat(batch).containsEntry("batchId", 3000L).containsEntry("status", "COMPLETED");
        // only the single-batch resource lists what each input stream contributed
        assertThat(batch.get("inputs")).isEqualTo(List.of(Map.of("streamId", 0L, "numRecords", 5L, "metadata", Map.of())));
        assertThat(http.array(base + "/batches").get(0)).doesNotContainKey("inputs");
    }

    @Test
    void operationsOfABatchInDeclarationOrderWithTheirFailure() {
        var ops = http.array(base + "/batches/2000/operations");
        assertThat(ops).extracting(o -> o.get("outputOpId")).containsExactly(0L, 1L);
        assertThat(ops.get(0)).containsEntry("name", "foreachRDD")
                .containsEntry("startTime", "1970-01-01T00:00:02.000Z")
                .containsEntry("endTime", "1970-01-01T00:00:02.000Z")
                .containsEntry("duration", 0L)
                .containsEntry("jobIds", List.of())
                .doesNotContainKey("failureReason");
        assertThat(ops.get(0).get("description")).isNotNull();
        assertThat((String) ops.get(1).get("failureReason")).contains("IllegalStateException: boom in batch 2000");
    }

    @Test
    void oneOperationById() {
        var op = http.object(base + "/batches/3000/operations/1");
        assertThat(op).containsEntry("outputOpId", 1L).containsEntry("name", "foreachRDD")
                .containsEntry("startTime", "1970-01-01T00:00:03.000Z").doesNotContainKey("failureReason");
    }

    @Test
    void unknownIdsGive404WithAJsonError() {
        for (String path : List.of("/api/v1/applications/app-nope", "/api/v1/applications/app-nope/streaming/statistics",
                base + "/batches/1000", base + "/batches/1000/operations", base + "/batches/abc",
                base + "/batches/3000/operations/7", base + "/batches/3000/operations/x", base + "/receivers/0",
                base + "/receivers/zero", "/api/v1/nothing-here", base + "/batches/3000/operations/1/more")) {
            var r = http.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            @SuppressWarnings("unchecked")
            var error = (Map<String, Object>) Json.parse(r.body());
            assertThat(error).as(path).containsEntry("status", 404L).containsEntry("error", "Not Found");
            assertThat((String) error.get("message")).as(path).isNotBlank();
        }
        assertThat((String) ((Map<?, ?>) Json.parse(http.get(base + "/batches/1000").body())).get("message"))
                .contains("unknown batch: 1000");
    }

    @Test
    void otherMethodsThanGetGive405() {
        for (String method : List.of("POST", "PUT", "DELETE")) {
            var r = http.send(method, base + "/statistics");
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
            assertThat(Json.parse(r.body())).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("status", 405L);
        }
    }

    @Test
    void receiversIsEmptyWithoutReceiverStreams() {
        assertThat(http.array(base + "/receivers")).isEmpty();
    }

    /** A job with a receiver stream: 3 records in the first batch and 4 in the second. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithAReceiver {
        private StreamingTestKit.Harness receiverHarness;
        private HttpGet client;
        private String streaming;

        @BeforeAll
        void runTwoBatchesWithReceivedRecords() {
            receiverHarness = StreamingTestKit.create().open();
            StreamingContext ssc = receiverHarness.context();
            var receiver = new ControlledReceiver<Integer>();
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            receiverHarness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);
            client = new HttpGet(ssc.uiServer().orElseThrow().url());
            streaming = "/api/v1/applications/" + ssc.context().appId() + "/streaming";
            Await.until("the REST API shows the receiver active", () -> Boolean.TRUE.equals(
                    client.array(streaming + "/receivers").stream().findFirst().map(r -> r.get("isActive")).orElse(null)));
            receiver.store(List.of(1, 2, 3));
            receiverHarness.runBatches(1);
            receiver.store(List.of(4, 5, 6, 7));
            receiverHarness.runBatches(1);
        }

        @AfterAll
        void stopIt() {
            receiverHarness.close();
        }

        @Test
        void receiversListsTheReceiverWithItsRates() {
            var receivers = client.array(streaming + "/receivers");
            assertThat(receivers).hasSize(1);
            assertThat(receivers.get(0)).containsEntry("streamId", 0L)
                    .containsEntry("streamName", "ControlledReceiver-0")
                    .containsEntry("isActive", true)
                    .containsEntry("executorId", "driver")
                    .containsEntry("executorHost", "localhost")
                    .containsEntry("avgEventRate", 3.5)
                    .containsEntry("eventRates", List.of(List.of(1000L, 3.0), List.of(2000L, 4.0)))
                    .doesNotContainKey("lastError");
        }

        @Test
        void oneReceiverByStreamId() {
            assertThat(client.object(streaming + "/receivers/0")).containsEntry("streamId", 0L).containsEntry("isActive", true);
            assertThat(client.get(streaming + "/receivers/1").statusCode()).isEqualTo(404);
        }

        @Test
        void statisticsCountTheReceiverAndItsRecords() {
            assertThat(client.object(streaming + "/statistics")).containsEntry("numReceivers", 1L)
                    .containsEntry("numActiveReceivers", 1L)
                    .containsEntry("numInactiveReceivers", 0L)
                    .containsEntry("numReceivedRecords", 7L)
                    .containsEntry("numProcessedRecords", 7L)
                    .containsEntry("avgInputRate", 3.5);
        }
    }
}
