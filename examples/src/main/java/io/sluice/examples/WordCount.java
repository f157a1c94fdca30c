package io.sluice.examples;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.regex.Pattern;

/** The word-count pipeline shared by the word-count examples: lines in, {@code (word, count)} per batch out. */
public final class WordCount {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private WordCount() {
    }

    /** Splits each line on whitespace and counts every word of each batch. */
    public static PairDStream<String, Integer> countWords(DStream<String> lines) {
        return lines
                .flatMap(line -> Arrays.asList(WHITESPACE.split(line.strip())).iterator())
                .filter(word -> !word.isEmpty())
                .mapToPair(word -> Pair.of(word, 1))
                .reduceByKey(Integer::sum);
    }

    /** Each batch's counts ordered by count, largest first (ties by word), so that print() shows the top words. */
    public static PairDStream<String, Integer> mostFrequentFirst(PairDStream<String, Integer> counts) {
        return counts.transformToPair(ds -> ds.sortBy(p -> new Rank(p.value(), p.key()), true, 1));
    }

    /** Sort key: higher counts first, then words alphabetically. */
    record Rank(int count, String word) implements Comparable<Rank>, Serializable {
        @Override
        public int compareTo(Rank o) {
            int c = Integer.compare(o.count, count);
            return c != 0 ? c : word.compareTo(o.word);
        }
    }
}
