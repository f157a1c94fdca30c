package io.sluice.examples;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StreamingContext;
import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The counting operations of "Learning Spark Streaming", chapter 5 (Table 5-1), on a constant stream of names keyed
 * by their first letter: every batch is the same dataset of ten distinct names for each of the 26 letters, 260
 * {@code (letter, name)} pairs. Every batch prints
 * <ul>
 *   <li>{@code count()}: 260;</li>
 *   <li>{@code countByWindow(60 s, 5 s)}: the elements in the last 60 s, 260 per batch so far, up to 12 × 260 = 3120
 *       once the window is full (the book prints 260 there, which is a slip);</li>
 *   <li>{@code countByValue()}: 1 for each of the 260 pairs;</li>
 *   <li>{@code countByKey()}: 10 for each of the 26 letters;</li>
 *   <li>{@code countByValueAndWindow(60 s, 5 s)}: for each pair, its number of batches in the window, up to 12.</li>
 * </ul>
 * The window is 12 batches and the slide one batch, so the default 5 s batch gives the book's 60 s / 5 s; a shorter
 * batch (e.g. {@code 500ms}) runs the same table quickly. Stops by itself after the given number of batches.
 */
public final class CountingTable {
    private static final Logger LOG = LogManager.getLogger(CountingTable.class);

    /** Batches per window; with the default 5 s batch, the book's 60 s window. */
    static final int WINDOW_BATCHES = 12;

    /** Ten name endings; each letter gets ten distinct names by putting its capital in front. */
    private static final List<String> NAME_ENDINGS = List.of(
            "ara", "elle", "iro", "ola", "umi", "aren", "evin", "ilda", "oran", "yla");

    static final String USAGE = """
            Usage: CountingTable [batch] [batches] [master]
              batch    batch interval, e.g. 5s or 500ms (default 5s); the window is 12 batches, the slide 1
              batches  how many batches to run before stopping by itself (default 13: the window fills at 12)
              master   where to run (default: -Dsluice.master, else local[2])
            Prints count, countByWindow, countByValue, countByKey and countByValueAndWindow of a constant
            stream of 260 (letter, name) pairs every batch (the counting table of chapter 5).""";

    private CountingTable() {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        var a = ExampleArgs.parse(USAGE, args);
        Duration batch = a.duration(0, "batch", Duration.ofSeconds(5));
        int batches = a.integer(1, "batches", WINDOW_BATCHES + 1);
        var conf = new SluiceConf().setMaster(a.master(2)).setAppName("CountingTable");
        run(conf, batch, batches);
    }

    /** The 260 names keyed by first letter: ten distinct names for each letter a..z. */
    static List<Pair<Character, String>> keyedNames() {
        var names = new ArrayList<Pair<Character, String>>(26 * NAME_ENDINGS.size());
        for (char letter = 'a'; letter <= 'z'; letter++) {
            for (String ending : NAME_ENDINGS) {
                names.add(Pair.of(letter, Character.toUpperCase(letter) + ending));
            }
        }
        return names;
    }

    static void run(SluiceConf conf, Duration batch, int batches) throws InterruptedException, IOException {
        Path checkpointDir = Files.createTempDirectory("sluice-counting-table");
        var ssc = new StreamingContext(conf, batch);
        // windowed counts keep state across batches; like Spark, they need a checkpoint directory
        ssc.checkpoint(checkpointDir.toUri().toString());

        List<Pair<Character, String>> names = keyedNames();
        Dataset<Pair<Character, String>> namesDataset = ssc.parallelize(names, 4);
        PairDStream<Character, String> keyedNames = PairDStream.of(ssc.constantStream(namesDataset));
        Duration window = batch.multipliedBy(WINDOW_BATCHES);
        Duration slide = batch;
        String windowText = "(" + seconds(window) + ", " + seconds(slide) + ")";

        // output operations run in this order every batch, each under its own "Time:" header
        labelled("count()", keyedNames.count()).print();
        labelled("countByWindow" + windowText, keyedNames.countByWindow(window, slide)).print();
        labelled("countByValue()", sorted(keyedNames.countByValue())).print();
        labelled("countByKey()", sorted(keyedNames.countByKey())).print(26);
        labelled("countByValueAndWindow" + windowText, sorted(keyedNames.countByValueAndWindow(window, slide))).print();

        LOG.info("Counting a constant stream of {} (letter, name) pairs every {} ms on {} for {} batches; window {}",
                names.size(), batch.toMillis(), conf.get(SluiceConf.MASTER), batches, windowText);
        var completed = new CountDownLatch(batches);
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                completed.countDown();
            }
        });
        try {
            ssc.start();
            long patience = batch.toMillis() * batches + 60_000;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patience);
            while (!completed.await(100, TimeUnit.MILLISECONDS)) {
                // returns true once stopped (Ctrl-C), and rethrows the error if a batch failed
                if (ssc.awaitTerminationOrTimeout(1)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    LOG.warn("Only {} of {} batches completed within {} ms; stopping", batches - completed.getCount(),
                            batches, patience);
                    return;
                }
            }
            LOG.info("Ran {} batches; stopping", batches);
        } finally {
            // the last wanted batch is complete: stop before the next one starts
            ssc.stop(false);
            deleteRecursively(checkpointDir);
        }
    }

    /** Prefixes every element with the operation that produced it, so the printed batches read like the table. */
    private static <T> DStream<String> labelled(String operation, DStream<T> stream) {
        return stream.map(element -> operation + ": " + element);
    }

    /** Each batch sorted by key text, so printed samples are stable from batch to batch. */
    private static <K, V> DStream<Pair<K, V>> sorted(PairDStream<K, V> stream) {
        return stream.transform(ds -> ds.sortBy(p -> String.valueOf(p.key()), true, 1));
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete checkpoint directory {}: {}", dir, e.toString());
        }
    }
}
