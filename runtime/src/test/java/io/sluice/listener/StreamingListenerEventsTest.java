package io.sluice.listener;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.receiver.Await;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.testkit.StreamingTestKit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Every callback of the seed's StreamingListener, fired in order by a real job with a receiver and two outputs. */
class StreamingListenerEventsTest {

    /** Records every event, in delivery order. */
    static final class Recorder implements StreamingListener {
        final List<StreamingListenerEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onStreamingStarted(StreamingListenerEvent.StreamingStarted e) {
            events.add(e);
        }

        @Override
        public void onBatchSubmitted(StreamingListenerEvent.BatchSubmitted e) {
            events.add(e);
        }

        @Override
        public void onBatchStarted(StreamingListenerEvent.BatchStarted e) {
            events.add(e);
        }

        @Override
        public void onBatchCompleted(StreamingListenerEvent.BatchCompleted e) {
            events.add(e);
        }

        @Override
        public void onOutputOperationStarted(StreamingListenerEvent.OutputOperationStarted e) {
            events.add(e);
        }

        @Override
        public void onOutputOperationCompleted(StreamingListenerEvent.OutputOperationCompleted e) {
            events.add(e);
        }

        @Override
        public void onReceiverStarted(StreamingListenerEvent.ReceiverStarted e) {
            events.add(e);
        }

        @Override
        public void onReceiverError(StreamingListenerEvent.ReceiverError e) {
            events.add(e);
        }

        @Override
        public void onReceiverStopped(StreamingListenerEvent.ReceiverStopped e) {
            events.add(e);
        }

        List<StreamingListenerEvent> matching(Predicate<StreamingListenerEvent> p) {
            return events.stream().filter(p).toList();
        }

        /** The batch and output-operation events of batch {@code time}, as short names. */
        List<String> batchSequence(Time time) {
            return events.stream().map(e -> {
                if (e instanceof StreamingListenerEvent.BatchSubmitted s && s.batchInfo().batchTime().equals(time)) {
                    return "submitted";
                } else if (e instanceof StreamingListenerEvent.BatchStarted s && s.batchInfo().batchTime().equals(time)) {
                    return "started";
                } else if (e instanceof StreamingListenerEvent.BatchCompleted c && c.batchInfo().batchTime().equals(time)) {
                    return "completed";
                } else if (e instanceof StreamingListenerEvent.OutputOperationStarted s
                        && s.outputOperationInfo().batchTime().equals(time)) {
                    return "op" + s.outputOperationInfo().id() + "-started";
                } else if (e instanceof StreamingListenerEvent.OutputOperationCompleted c
                        && c.outputOperationInfo().batchTime().equals(time)) {
                    return "op" + c.outputOperationInfo().id() + "-completed";
                }
                return null;
            }).filter(s -> s != null).toList();
        }
    }

    @Test
    void aJobWithAReceiverAndTwoOutputsFiresEverySeedEventInOrderWithTheirFields() {
        var receiver = new ControlledReceiver<String>();
        var recorder = new Recorder();
        StreamingContext ssc;
        try (var harness = StreamingTestKit.create().open()) {
            ssc = harness.context();
            ssc.addStreamingListener(recorder);
            var lines = ssc.receiverStream(receiver);
            lines.foreachRDD(ds -> ds.count());
            lines.foreachRDD(ds -> {
                if (ds.count() > 0) {
                    throw new IllegalStateException("output failed on purpose");
                }
            });
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);
            receiver.store(List.of("a", "b", "c"));
            harness.runBatches(1);
            harness.runBatches(1);
        }

        // streaming started first, once, at the clock's start time
        assertThat(recorder.events.get(0)).isInstanceOf(StreamingListenerEvent.StreamingStarted.class);
        assertThat(((StreamingListenerEvent.StreamingStarted) recorder.events.get(0)).time()).isZero();

        // receiver started before any of its data was processed, and stopped last
        var started = recorder.matching(e -> e instanceof StreamingListenerEvent.ReceiverStarted);
        assertThat(started).hasSize(1);
        ReceiverInfo info = ((StreamingListenerEvent.ReceiverStarted) started.get(0)).receiverInfo();
        assertThat(info.streamId()).isZero();
        assertThat(info.name()).isEqualTo("ControlledReceiver-0");
        assertThat(info.active()).isTrue();
        assertThat(info.executorId()).isEqualTo("driver");
        assertThat(info.location()).isEqualTo("localhost");
        assertThat(info.lastErrorMessage()).isEmpty();
        assertThat(info.lastErrorTime()).isEqualTo(-1);
        assertThat(recorder.events.indexOf(started.get(0))).isLessThan(recorder.events.indexOf(
                recorder.matching(e -> e instanceof StreamingListenerEvent.BatchCompleted).get(0)));
        var last = recorder.events.get(recorder.events.size() - 1);
        assertThat(last).isInstanceOf(StreamingListenerEvent.ReceiverStopped.class);
        assertThat(((StreamingListenerEvent.ReceiverStopped) last).receiverInfo().active()).isFalse();

        // each batch: submitted, started, each output operation started and completed in order, completed
        for (Time t : List.of(new Time(1000), new Time(2000))) {
            assertThat(recorder.batchSequence(t)).containsExactly("submitted", "started", "op0-started",
                    "op0-completed", "op1-started", "op1-completed", "completed");
        }

        BatchInfo submitted = recorder.matching(e -> e instanceof StreamingListenerEvent.BatchSubmitted).stream()
                .map(e -> ((StreamingListenerEvent.BatchSubmitted) e).batchInfo()).findFirst().orElseThrow();
        assertThat(submitted.batchTime()).isEqualTo(new Time(1000));
        assertThat(submitted.submissionTime()).isEqualTo(1000);
        assertThat(submitted.processingStartTime()).as("unknown when submitted").isEqualTo(-1);
        assertThat(submitted.processingEndTime()).isEqualTo(-1);
        assertThat(submitted.schedulingDelay()).isEmpty();
        assertThat(submitted.outputOperationInfos()).containsOnlyKeys(0, 1);

        BatchInfo batchStarted = recorder.matching(e -> e instanceof StreamingListenerEvent.BatchStarted).stream()
                .map(e -> ((StreamingListenerEvent.BatchStarted) e).batchInfo()).findFirst().orElseThrow();
        assertThat(batchStarted.processingStartTime()).isEqualTo(1000);
        assertThat(batchStarted.processingEndTime()).isEqualTo(-1);

        List<BatchInfo> completed = recorder.matching(e -> e instanceof StreamingListenerEvent.BatchCompleted).stream()
                .map(e -> ((StreamingListenerEvent.BatchCompleted) e).batchInfo()).toList();
        assertThat(completed).extracting(BatchInfo::batchTime).containsExactly(new Time(1000), new Time(2000));
        BatchInfo first = completed.get(0);
        assertThat(first.numRecords()).isEqualTo(3);
        assertThat(first.streamIdToInputInfo().get(0).numRecords()).isEqualTo(3);
        assertThat(first.schedulingDelay()).hasValue(0);
        assertThat(first.processingDelay()).hasValue(0);
        assertThat(first.totalDelay()).hasValue(0);
        OutputOperationInfo ok = first.outputOperationInfos().get(0);
        OutputOperationInfo failed = first.outputOperationInfos().get(1);
        assertThat(ok.batchTime()).isEqualTo(new Time(1000));
        assertThat(ok.failureReason()).isNull();
        assertThat(ok.duration()).hasValue(0);
        assertThat(failed.failure()).hasValueSatisfying(r -> assertThat(r).contains("output failed on purpose"));
        assertThat(first.failed()).isTrue();
        assertThat(completed.get(1).numRecords()).isZero();
        assertThat(completed.get(1).failed()).as("no records, no failure").isFalse();

        var opCompleted = recorder.matching(e -> e instanceof StreamingListenerEvent.OutputOperationCompleted).stream()
                .map(e -> ((StreamingListenerEvent.OutputOperationCompleted) e).outputOperationInfo()).toList();
        assertThat(opCompleted).hasSize(4);
        assertThat(opCompleted.get(1).failureReason()).contains("output failed on purpose");
        var opStarted = recorder.matching(e -> e instanceof StreamingListenerEvent.OutputOperationStarted).stream()
                .map(e -> ((StreamingListenerEvent.OutputOperationStarted) e).outputOperationInfo()).toList();
        assertThat(opStarted).allSatisfy(o -> {
            assertThat(o.startTime()).isGreaterThanOrEqualTo(1000);
            assertThat(o.endTime()).isEqualTo(-1);
            assertThat(o.failureReason()).isNull();
        });
        assertThat(recorder.matching(e -> e instanceof StreamingListenerEvent.StreamingStarted)).hasSize(1);
        assertThat(ssc.listenerBus().droppedEvents()).isZero();
    }

    /** Reports an error once started, while it keeps running. */
    static final class ErrorReportingReceiver extends ControlledReceiver<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void onStart() {
            super.onStart();
            reportError("source hiccup", new java.io.IOException("short read"));
        }
    }

    @Test
    void aReceiverErrorCarriesTheMessageTheStackTraceAndTheTime() {
        var receiver = new ErrorReportingReceiver();
        var recorder = new Recorder();
        try (var harness = StreamingTestKit.create().open()) {
            StreamingContext ssc = harness.context();
            ssc.addStreamingListener(recorder);
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            harness.clock().setTime(500);
            harness.runBatches(0);
            Await.until("the receiver reported its error",
                    () -> !recorder.matching(e -> e instanceof StreamingListenerEvent.ReceiverError).isEmpty());
        }
        ReceiverInfo error = recorder.matching(e -> e instanceof StreamingListenerEvent.ReceiverError).stream()
                .map(e -> ((StreamingListenerEvent.ReceiverError) e).receiverInfo()).findFirst().orElseThrow();
        assertThat(error.streamId()).isZero();
        assertThat(error.lastErrorMessage()).isEqualTo("source hiccup");
        assertThat(error.lastError()).contains("java.io.IOException: short read");
        assertThat(error.lastErrorTime()).isEqualTo(500);
    }
}
