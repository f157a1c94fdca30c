package io.sluice.listener;

import io.sluice.api.Time;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The bookkeeping of one batch: its time, what each input stream contributed, when it was submitted and processed
 * (clock milliseconds, -1 while unknown), and each output operation's outcome.
 */
public record BatchInfo(Time batchTime, Map<Integer, StreamInputInfo> streamIdToInputInfo, long submissionTime,
                        long processingStartTime, long processingEndTime,
                        Map<Integer, OutputOperationInfo> outputOperationInfos) {

    /** Time from submission until processing started. */
    public OptionalLong schedulingDelay() {
        return processingStartTime >= 0 ? OptionalLong.of(processingStartTime - submissionTime) : OptionalLong.empty();
    }

    /** Time spent processing the batch's output operations. */
    public OptionalLong processingDelay() {
        return processingStartTime >= 0 && processingEndTime >= 0
                ? OptionalLong.of(processingEndTime - processingStartTime) : OptionalLong.empty();
    }

    /** Scheduling delay plus processing delay. */
    public OptionalLong totalDelay() {
        return processingEndTime >= 0 ? OptionalLong.of(processingEndTime - submissionTime) : OptionalLong.empty();
    }

    public long numRecords() {
        long n = 0;
        for (var i : streamIdToInputInfo.values()) {
            n += i.numRecords();
        }
        return n;
    }

    /** True if any output operation of the batch failed. */
    public boolean failed() {
        return outputOperationInfos.values().stream().anyMatch(o -> o.failureReason() != null);
    }
}
