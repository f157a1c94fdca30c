package io.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StreamingContext;
import io.sluice.testkit.StreamingTestKit;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The numbers of the chapter-5 counting table (Table 5-1), with the real window semantics for the windowed counts. */
class CountingTableTest {
    @Test
    void tenDistinctNamesPerLetterKeyedByTheirFirstLetter() {
        var names = CountingTable.keyedNames();
        assertThat(names).hasSize(260);
        assertThat(new HashSet<>(names)).hasSize(260);
        assertThat(names).allSatisfy(p -> assertThat(Character.toLowerCase(p.value().charAt(0))).isEqualTo(p.key()));
    }

    @Test
    void countIs260AndCountByKeyIs10PerLetterAndCountByValueIs1PerPair() {
        var kit = StreamingTestKit.create().batchDuration(Duration.ofSeconds(5));
        var count = kit.runWith(ssc -> keyedNames(ssc).count(), 2).outputs();
        assertThat(count).containsExactly(List.of(260L), List.of(260L));

        var byKey = kit.runWith(ssc -> keyedNames(ssc).countByKey(), 1).outputs().get(0);
        assertThat(byKey).hasSize(26).allSatisfy(p -> assertThat(p.value()).isEqualTo(10L));

        var byValue = kit.runWith(ssc -> keyedNames(ssc).countByValue(), 1).outputs().get(0);
        assertThat(byValue).hasSize(260).allSatisfy(p -> assertThat(p.value()).isEqualTo(1L));
        assertThat(byValue).contains(Pair.of(Pair.of('q', "Qola"), 1L));
    }

    @Test
    void windowedCountsGrowUntilTheSixtySecondWindowHoldsTwelveBatches() {
        var kit = StreamingTestKit.create().batchDuration(Duration.ofSeconds(5));
        Duration window = Duration.ofSeconds(60);
        Duration slide = Duration.ofSeconds(5);

        var byWindow = kit.runWith(ssc -> keyedNames(ssc).countByWindow(window, slide), 13).outputs();
        assertThat(byWindow.get(0)).containsExactly(260L);
        assertThat(byWindow.get(5)).containsExactly(6 * 260L);
        assertThat(byWindow.get(11)).containsExactly(3120L);
        assertThat(byWindow.get(12)).containsExactly(3120L);

        var byValue = kit.runWith(ssc -> keyedNames(ssc).countByValueAndWindow(window, slide), 13).outputs();
        assertThat(byValue.get(0)).hasSize(260).allSatisfy(p -> assertThat(p.value()).isEqualTo(1L));
        assertThat(byValue.get(12)).hasSize(260).allSatisfy(p -> assertThat(p.value()).isEqualTo(12L));
    }

    private static PairDStream<Character, String> keyedNames(StreamingContext ssc) {
        return PairDStream.of(ssc.constantStream(ssc.parallelize(CountingTable.keyedNames(), 4)));
    }
}
