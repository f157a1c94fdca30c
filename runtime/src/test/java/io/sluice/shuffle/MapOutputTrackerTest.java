package io.sluice.shuffle;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.cluster.ExecutorId;
import java.util.List;
import org.junit.jupiter.api.Test;

class MapOutputTrackerTest {
    private static final ExecutorId A = new ExecutorId("exec-a");
    private static final ExecutorId B = new ExecutorId("exec-b");

    @Test
    void outputsCountAsInUseOnlyWhileAJobReadingTheirShuffleRuns() {
        var tracker = new MapOutputTracker();
        tracker.register(1, 2);
        tracker.add(1, new MapStatus(A, 0, new long[] {1}));
        tracker.add(1, new MapStatus(B, 1, new long[] {1}));
        tracker.register(2, 1);
        tracker.add(2, new MapStatus(B, 0, new long[] {1}));
        assertThat(tracker.holdsOutputsInUse(A)).as("a finished batch's outputs").isFalse();

        tracker.retain(List.of(1));
        tracker.retain(List.of(1, 2)); // two jobs read shuffle 1
        assertThat(tracker.holdsOutputsInUse(A)).isTrue();
        assertThat(tracker.holdsOutputsInUse(B)).isTrue();

        tracker.release(List.of(1, 2));
        assertThat(tracker.holdsOutputsInUse(A)).as("the other job still reads shuffle 1").isTrue();
        tracker.release(List.of(1));
        assertThat(tracker.holdsOutputsInUse(A)).isFalse();
        assertThat(tracker.holdsOutputsInUse(B)).isFalse();
        assertThat(tracker.holdsOutputs(B)).as("the outputs are still registered for later readers").isTrue();
    }
}
