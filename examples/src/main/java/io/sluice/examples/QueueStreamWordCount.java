package io.sluice.examples;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Word count over a queue stream: a producer thread generates lines of text and puts one dataset of them into the
 * queue every batch interval; the stream takes one dataset per batch, counts its words and prints the ten most
 * frequent. The
 * job stops by itself, gracefully, after the given number of seconds.
 */
public final class QueueStreamWordCount {
    private static final Logger LOG = LogManager.getLogger(QueueStreamWordCount.class);

    static final String USAGE = """
            Usage: QueueStreamWordCount [seconds] [linesPerBatch] [master]
              seconds        how long to run before stopping by itself (default 10)
              linesPerBatch  lines the producer puts into the queue each batch (default 100)
              master         where to run (default: -Dsluice.master, else local[2])
            A producer thread queues one dataset of generated lines per 1 s batch; the ten most frequent
            words of each batch are printed with their counts.""";

    private QueueStreamWordCount() {
    }

    public static void main(String[] args) throws InterruptedException {
        var a = ExampleArgs.parse(USAGE, args);
        Duration runFor = a.duration(0, "seconds", Duration.ofSeconds(10));
        int linesPerBatch = a.integer(1, "linesPerBatch", 100);
        var conf = new SluiceConf().setMaster(a.master(2)).setAppName("QueueStreamWordCount");
        run(conf, Duration.ofSeconds(1), runFor, linesPerBatch);
    }

    static void run(SluiceConf conf, Duration batch, Duration runFor, int linesPerBatch) throws InterruptedException {
        var ssc = new StreamingContext(conf, batch);
        Queue<Dataset<String>> queue = new ArrayDeque<>();
        DStream<String> lines = ssc.queueStream(queue, true);
        WordCount.mostFrequentFirst(WordCount.countWords(lines)).print();

        ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "queue-producer");
            t.setDaemon(true);
            return t;
        });
        var generator = new LineGenerator(42, 3, 12);
        producer.scheduleAtFixedRate(() -> {
            Dataset<String> ds = ssc.parallelize(generator.nextLines(linesPerBatch), 2);
            synchronized (queue) { // the queue stream polls under the same lock
                queue.add(ds);
            }
        }, 0, batch.toMillis(), TimeUnit.MILLISECONDS);

        LOG.info("Running QueueStreamWordCount on {} for {} s ({} lines per {} ms batch)", conf.get(SluiceConf.MASTER),
                runFor.toSeconds(), linesPerBatch, batch.toMillis());
        try {
            ssc.start();
            if (!ssc.awaitTerminationOrTimeout(runFor.toMillis())) {
                LOG.info("Ran for {} s; stopping gracefully", runFor.toSeconds());
            }
        } finally {
            producer.shutdownNow();
            ssc.stop(true);
        }
    }
}
