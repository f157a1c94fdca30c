package io.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.testkit.StreamingTestKit;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordCountTest {
    @Test
    void countsTheWordsOfEachBatchIgnoringExtraWhitespace() {
        var out = StreamingTestKit.create().run(
                List.of(List.of("to be  or", " not to be "), List.of(), List.of("be")),
                (DStream<String> s) -> WordCount.countWords(s), 3).outputs();
        assertThat(out.get(0)).containsExactlyInAnyOrder(
                Pair.of("to", 2), Pair.of("be", 2), Pair.of("or", 1), Pair.of("not", 1));
        assertThat(out.get(1)).isEmpty();
        assertThat(out.get(2)).containsExactly(Pair.of("be", 1));
    }

    @Test
    void mostFrequentFirstOrdersByCountThenWord() {
        var out = StreamingTestKit.create().run(
                List.of(List.of("b a c b c b d")),
                (DStream<String> s) -> WordCount.mostFrequentFirst(WordCount.countWords(s)), 1).outputs();
        assertThat(out.get(0)).containsExactly(Pair.of("b", 3), Pair.of("c", 2), Pair.of("a", 1), Pair.of("d", 1));
    }

    @Test
    void generatedLinesAreReproducibleAndWithinTheWordBounds() {
        List<String> first = new LineGenerator(7, 3, 5).nextLines(50);
        assertThat(new LineGenerator(7, 3, 5).nextLines(50)).isEqualTo(first);
        assertThat(first).allSatisfy(line -> assertThat(line.split(" ").length).isBetween(3, 5));
    }
}
