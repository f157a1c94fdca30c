package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a StreamingListener learns about each batch: time, input records, timing and output operations. */
class BatchBookkeepingTest {

    @Test
    void everyBatchReportsItsTimeRecordsTimingAndOutputOperationsInOrder() {
        var submitted = new CopyOnWriteArrayList<BatchInfo>();
        var completed = new CopyOnWriteArrayList<BatchInfo>();
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            ssc.addStreamingListener(new StreamingListener() {
                @Override
                public void onBatchSubmitted(StreamingListenerEvent.BatchSubmitted event) {
                    submitted.add(event.batchInfo());
                }

                @Override
                public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                    completed.add(event.batchInfo());
                }
            });
            var words = new TestInputDStream<>(ssc, List.of(List.of("a", "b", "c"), List.<String>of(), List.of("d", "e")), 2);
            var numbers = new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2, 3, 4), List.<Integer>of()), 2);
            words.count().foreachRDD(ds -> ds.collect());
            numbers.print();
            words.map(String::length).foreachRDD((ds, t) -> ds.count());
            harness.runBatches(1);
            assertThat(completed).as("delivered by the time runBatches returns").hasSize(1);
            harness.runBatches(2);
            assertThat(completed).hasSize(3);
        }
        assertThat(submitted).extracting(BatchInfo::batchTime)
                .containsExactly(new Time(1000), new Time(2000), new Time(3000));
        assertThat(completed).extracting(BatchInfo::batchTime)
                .containsExactly(new Time(1000), new Time(2000), new Time(3000));
        assertThat(completed).extracting(BatchInfo::numRecords).containsExactly(4L, 3L, 2L);
        assertThat(completed.get(0).streamIdToInputInfo()).hasSize(2);
        for (BatchInfo b : completed) {
            assertThat(b.submissionTime()).isGreaterThanOrEqualTo(0);
            assertThat(b.processingStartTime()).isGreaterThanOrEqualTo(b.submissionTime());
            assertThat(b.processingEndTime()).isGreaterThanOrEqualTo(b.processingStartTime());
            assertThat(b.failed()).isFalse();
            List<OutputOperationInfo> ops = new ArrayList<>(b.outputOperationInfos().values());
            assertThat(ops).extracting(OutputOperationInfo::id).containsExactly(0, 1, 2);
            assertThat(ops).extracting(OutputOperationInfo::name).containsExactly("foreachRDD", "print", "foreachRDD");
            assertThat(ops).allSatisfy(o -> {
                assertThat(o.batchTime()).isEqualTo(b.batchTime());
                assertThat(o.startTime()).isGreaterThanOrEqualTo(b.processingStartTime());
                assertThat(o.endTime()).isBetween(o.startTime(), b.processingEndTime());
                assertThat(o.failureReason()).isNull();
            });
        }
        assertThat(submitted).allSatisfy(b -> {
            assertThat(b.processingStartTime()).isEqualTo(-1);
            assertThat(b.outputOperationInfos()).hasSize(3);
        });
    }

    @Test
    void aBatchWithoutDataRecordsNoInputAndOnlyTheOperationsThatRan() {
        var completed = new CopyOnWriteArrayList<BatchInfo>();
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            ssc.addStreamingListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                    completed.add(event.batchInfo());
                }
            });
            var quiet = new TestInputDStream<>(ssc, List.of(StreamingTestKit.<Integer>noData(), List.of(1, 2)), 2);
            var busy = new TestInputDStream<>(ssc, List.of(List.of(7, 8, 9)), 2);
            quiet.foreachRDD(ds -> ds.count());
            busy.foreachRDD(ds -> ds.count());
            harness.runBatches(2);
        }
        assertThat(completed).extracting(BatchInfo::numRecords).containsExactly(3L, 2L);
        assertThat(completed.get(0).outputOperationInfos().keySet()).containsExactly(1);
        assertThat(completed.get(1).outputOperationInfos().keySet()).containsExactly(0, 1);
    }
}
