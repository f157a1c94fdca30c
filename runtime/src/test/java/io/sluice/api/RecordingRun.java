package io.sluice.api;

import io.sluice.listener.BatchInfo;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.testkit.StreamingTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a graph on the test kit's manual clock and records, per batch, both the collected output (for batches whose
 * output operation succeeded) and the completed {@link BatchInfo} (for the failures).
 */
record RecordingRun<R>(List<Time> times, List<List<R>> outputs, List<BatchInfo> batches) {

    static <R> RecordingRun<R> run(StreamingTestKit kit, Function<StreamingContext, DStream<R>> build, int numBatches) {
        var times = new ArrayList<Time>();
        var outputs = new ArrayList<List<R>>();
        var batches = new ArrayList<BatchInfo>();
        try (var harness = kit.open()) {
            harness.context().addStreamingListener(new StreamingListener() {
                @Override
                public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                    synchronized (batches) {
                        batches.add(event.batchInfo());
                    }
                }
            });
            build.apply(harness.context()).foreachRDD((ds, time) -> {
                List<R> data = ds.collect();
                synchronized (outputs) {
                    times.add(time);
                    outputs.add(data);
                }
            });
            harness.runBatches(numBatches);
        }
        return new RecordingRun<>(List.copyOf(times), List.copyOf(outputs), List.copyOf(batches));
    }

    /** The failure reason of the (single) output operation of the batch at {@code timeMs}, or null if it succeeded. */
    String failureAt(long timeMs) {
        for (BatchInfo b : batches) {
            if (b.batchTime().milliseconds() == timeMs) {
                List<OutputOperationInfo> ops = new ArrayList<>(b.outputOperationInfos().values());
                if (ops.size() != 1) {
                    throw new AssertionError("expected one output operation in batch " + timeMs + ", got " + ops);
                }
                return ops.get(0).failureReason();
            }
        }
        throw new AssertionError("no batch completed at " + timeMs + " ms; completed: " + batches);
    }
}
