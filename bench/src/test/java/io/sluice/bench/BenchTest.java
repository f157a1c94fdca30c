package io.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTest {

    @Test
    void workloadShapesFollowWorkloadsMd() {
        assertThat(Bench.Spec.of("w1", new String[] {"W1"}))
                .isEqualTo(new Bench.Spec("W1", 10_000, 100_000, 10, 40, 10));
        assertThat(Bench.Spec.of("W2", new String[] {"W2"}))
                .isEqualTo(new Bench.Spec("W2", 10_000, 20_000, 10, 60, 30));
        assertThat(Bench.Spec.of("W3", new String[] {"W3"}))
                .isEqualTo(new Bench.Spec("W3", 100_000, 20_000, 10, 40, 10));
        assertThat(Bench.Spec.of("W4", new String[] {"W4", "20", "5"}))
                .isEqualTo(new Bench.Spec("W4", 1_000_000, 200_000, 1, 20, 5));
        assertThatThrownBy(() -> Bench.Spec.of("W5", new String[] {"W5"})).hasMessageContaining("unknown workload");
    }

    @Test
    void inputIsDeterministicAndShapedLikeTheBaseline() {
        var spec = new Bench.Spec("W1", 10_000, 50, 10, 2, 1);
        List<List<String>> a = Bench.generate(spec);
        assertThat(a).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(50));
        assertThat(a.get(0).get(0).split(" ")).hasSize(10).allMatch(w -> w.matches("w[0-9]{1,4}"));
        assertThat(Bench.generate(spec)).isEqualTo(a);
        var single = Bench.generate(new Bench.Spec("W4", 1_000_000, 10, 1, 1, 0));
        assertThat(single.get(0)).allMatch(w -> w.matches("w[0-9]+"));
    }

    @Test
    void medianAveragesTheMiddlePairAndP90IsNearestRank() {
        List<Long> sorted = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(Bench.percentile(sorted, 50)).isEqualTo(5.5);
        assertThat(Bench.percentile(sorted, 90)).isEqualTo(9.0);
        assertThat(Bench.percentile(List.of(3L, 7L, 9L), 50)).isEqualTo(7.0);
    }
}
