package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.dstream.Job;
import io.sluice.listener.StreamInputInfo;
import java.util.List;
import java.util.Map;

/** The jobs of one batch, with what the inputs contributed and when the batch was submitted. */
public record JobSet(Time time, List<Job> jobs, Map<Integer, StreamInputInfo> inputInfos, long submissionTime) {
}
