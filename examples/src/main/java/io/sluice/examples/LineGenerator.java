package io.sluice.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates lines of text whose words follow a Zipf-like distribution over a fixed vocabulary (a few words are
 * frequent, most are rare), so that per-batch word counts look like those of real text. Seeded, so a run is
 * reproducible. Not thread-safe: one generator per producer thread.
 */
final class LineGenerator {
    private static final String[] VOCABULARY = (
            "the stream of data a batch is an interval every window slides over time and each receiver stores "
            + "blocks in memory while the driver schedules jobs on executors that process records from sources "
            + "like sockets files queues or kafka topics into datasets with partitions shuffles counts and sums")
            .split(" ");

    private final Random random;
    private final double[] cumulative;
    private final int minWords;
    private final int maxWords;

    LineGenerator(long seed, int minWords, int maxWords) {
        if (minWords < 1 || maxWords < minWords) {
            throw new IllegalArgumentException("expected 1 <= minWords <= maxWords, got " + minWords + ", " + maxWords);
        }
        this.random = new Random(seed);
        this.minWords = minWords;
        this.maxWords = maxWords;
        this.cumulative = new double[VOCABULARY.length];
        double total = 0;
        for (int i = 0; i < VOCABULARY.length; i++) {
            total += 1.0 / (i + 1);
            cumulative[i] = total;
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= total;
        }
    }

    /** The next {@code count} lines. */
    List<String> nextLines(int count) {
        var lines = new ArrayList<String>(count);
        for (int i = 0; i < count; i++) {
            lines.add(nextLine());
        }
        return lines;
    }

    String nextLine() {
        int words = minWords + random.nextInt(maxWords - minWords + 1);
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(nextWord());
        }
        return sb.toString();
    }

    private String nextWord() {
        double u = random.nextDouble();
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return VOCABULARY[lo];
    }
}
