package io.sluice.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Time;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamInputInfo;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.ui.StreamingJobProgressListener.BatchStatus;
import io.sluice.ui.StreamingJobProgressListener.BatchUiData;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamingJobProgressListenerTest {

    private static BatchInfo batch(long time, long records, long start, long end, OutputOperationInfo... ops) {
        var m = new LinkedHashMap<Integer, OutputOperationInfo>();
        for (var o : ops) {
            m.put(o.id(), o);
        }
        return new BatchInfo(new Time(time), Map.of(0, new StreamInputInfo(0, records)), time, start, end, m);
    }

    private static OutputOperationInfo op(long batch, int id, long start, long end) {
        return new OutputOperationInfo(new Time(batch), id, "foreachRDD", "foreachRDD at Test", start, end, null);
    }

    @Test
    void batchesMoveFromQueuedToProcessingToCompletedAndOnlyTheNewestCompletedAreRetained() {
        var l = new StreamingJobProgressListener(Duration.ofSeconds(1), 2, Map.of());
        for (long t = 1000; t <= 3000; t += 1000) {
            l.onBatchSubmitted(new StreamingListenerEvent.BatchSubmitted(batch(t, t / 1000, -1, -1, op(t, 0, -1, -1))));
        }
        assertThat(l.snapshot().retainedBatches()).extracting(BatchUiData::status)
                .containsExactly(BatchStatus.QUEUED, BatchStatus.QUEUED, BatchStatus.QUEUED);
        for (long t = 1000; t <= 3000; t += 1000) {
            l.onBatchStarted(new StreamingListenerEvent.BatchStarted(batch(t, t / 1000, t, -1, op(t, 0, -1, -1))));
            l.onBatchCompleted(new StreamingListenerEvent.BatchCompleted(batch(t, t / 1000, t, t + 10, op(t, 0, t, t + 10))));
        }
        var s = l.snapshot();
        assertThat(s.retainedBatches()).extracting(BatchUiData::batchId).containsExactly(3000L, 2000L);
        assertThat(s.totalCompletedBatches()).isEqualTo(3);
        assertThat(s.totalReceivedRecords()).isEqualTo(6);
        assertThat(s.totalProcessedRecords()).isEqualTo(6);
        assertThat(s.waiting()).isEmpty();
        assertThat(s.running()).isEmpty();
        assertThat(s.recordsPerBatch(0)).containsExactly(new long[] {2000, 2}, new long[] {3000, 3});
    }

    @Test
    void outputOperationEventsUpdateTheRunningBatchAndLateOnesAreIgnored() {
        var l = new StreamingJobProgressListener(Duration.ofSeconds(1), 10, Map.of());
        l.onBatchSubmitted(new StreamingListenerEvent.BatchSubmitted(batch(1000, 1, -1, -1, op(1000, 0, -1, -1), op(1000, 1, -1, -1))));
        l.onBatchStarted(new StreamingListenerEvent.BatchStarted(batch(1000, 1, 1000, -1, op(1000, 0, -1, -1), op(1000, 1, -1, -1))));
        l.onOutputOperationStarted(new StreamingListenerEvent.OutputOperationStarted(op(1000, 0, 1001, -1)));
        assertThat(l.snapshot().running().get(0).outputOperationInfos().get(0).startTime()).isEqualTo(1001);
        l.onOutputOperationCompleted(new StreamingListenerEvent.OutputOperationCompleted(op(1000, 0, 1001, 1005)));
        assertThat(l.snapshot().running().get(0).outputOperationInfos().get(0).endTime()).isEqualTo(1005);
        var done = batch(1000, 1, 1000, 1010, op(1000, 0, 1001, 1005), op(1000, 1, 1005, 1010));
        l.onBatchCompleted(new StreamingListenerEvent.BatchCompleted(done));
        l.onOutputOperationCompleted(new StreamingListenerEvent.OutputOperationCompleted(op(1000, 1, 1005, 9999)));
        assertThat(l.snapshot().completed()).containsExactly(done);
    }

    @Test
    void receiversCountFromTheGraphBeforeTheyReportAndTheirLastStateWins() {
        var l = new StreamingJobProgressListener(Duration.ofSeconds(1), 10, Map.of(0, "SocketReceiver-0", 1, "Custom-1"));
        assertThat(l.snapshot().numReceivers()).isEqualTo(2);
        assertThat(l.snapshot().numActiveReceivers()).isZero();
        l.onReceiverStarted(new StreamingListenerEvent.ReceiverStarted(
                new ReceiverInfo(0, "SocketReceiver-0", true, "localhost", "driver", null, null, -1)));
        assertThat(l.snapshot().numActiveReceivers()).isEqualTo(1);
        l.onReceiverStopped(new StreamingListenerEvent.ReceiverStopped(
                new ReceiverInfo(0, "SocketReceiver-0", false, "localhost", "driver", "stopped", "", 5)));
        assertThat(l.snapshot().numActiveReceivers()).isZero();
        assertThat(l.snapshot().receiverInfos().get(0).lastErrorMessage()).isEqualTo("stopped");
    }
}
