package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.batch.Dataset;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SliceTest {

    /** The kit every test runs with; subclasses run the same tests on another master. */
    protected StreamingTestKit kit() {
        return StreamingTestKit.create();
    }

    private static List<List<Integer>> contents(List<Dataset<Integer>> datasets) {
        var result = new ArrayList<List<Integer>>();
        datasets.forEach(ds -> result.add(ds.collect()));
        return result;
    }

    @Test
    void sliceIncludesBothEndsAndAlignsUnalignedBoundsToBatches() {
        try (var harness = kit().open()) {
            var ssc = harness.context();
            ssc.remember(Durations.seconds(10));
            var stream = new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2, 3), List.of(4), List.of(5)), 2);
            stream.foreachRDD(ds -> ds.count());
            harness.runBatches(4);
            assertThat(contents(stream.slice(new Time(2000), new Time(3000)))).containsExactly(List.of(2, 3), List.of(4));
            assertThat(contents(stream.slice(new Time(1500), new Time(3999))))
                    .containsExactly(List.of(1), List.of(2, 3), List.of(4));
            assertThat(contents(stream.slice(new Time(4000), new Time(4000)))).containsExactly(List.of(5));
        }
    }

    @Test
    void sliceOnlyReturnsBatchesAfterTheZeroTime() {
        try (var harness = kit().open()) {
            var ssc = harness.context();
            var stream = new TestInputDStream<>(ssc, List.of(List.of(1), List.of(2)), 2);
            stream.map(x -> x * 10).foreachRDD(ds -> ds.count());
            harness.runBatches(2);
            Time zero = stream.zeroTime();
            var sliced = stream.slice(zero.minus(Durations.seconds(3)), zero.plus(Durations.seconds(1)));
            assertThat(contents(sliced)).containsExactly(List.of(1));
        }
    }

    @Test
    void sliceBeforeStartFailsBecauseTheStreamHasNotBeenInitialized() {
        try (var harness = kit().open()) {
            var stream = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2);
            assertThatThrownBy(() -> stream.slice(new Time(1000), new Time(2000)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("has not been initialized");
        }
    }
}
