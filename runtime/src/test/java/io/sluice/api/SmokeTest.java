package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testkit.StreamingTestKit;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void wordCountPerBatch() {
        var out = StreamingTestKit.create().run(
                List.of(List.of("a b", "b c"), List.of(), List.of("c")),
                (DStream<String> s) -> s.flatMap(l -> Arrays.asList(l.split(" ")).iterator())
                        .mapToPair(w -> Pair.of(w, 1)).reduceByKey(Integer::sum),
                3);
        assertThat(out.outputs()).hasSize(3);
        assertThat(out.outputs().get(0)).containsExactlyInAnyOrder(Pair.of("a", 1), Pair.of("b", 2), Pair.of("c", 1));
        assertThat(out.outputs().get(1)).isEmpty();
        assertThat(out.outputs().get(2)).containsExactly(Pair.of("c", 1));
        assertThat(out.times()).containsExactly(new Time(1000), new Time(2000), new Time(3000));
    }

    @Test
    void countOfEmptyBatchIsZero() {
        var out = StreamingTestKit.create().run(
                List.of(List.of(1, 2, 3), List.<Integer>of()), (DStream<Integer> s) -> s.count(), 2);
        assertThat(out.outputs()).containsExactly(List.of(3L), List.of(0L));
    }

    @Test
    void windowIsPartialAtStart() {
        var out = StreamingTestKit.create().run(
                List.of(List.of(1), List.of(2), List.of(3)),
                (DStream<Integer> s) -> s.window(Durations.seconds(2), Durations.seconds(1)), 4);
        assertThat(out.outputs()).containsExactly(List.of(1), List.of(1, 2), List.of(2, 3), List.of(3));
    }
}
