package io.sluice.yarn.app;

import io.sluice.api.DStream;
import io.sluice.api.StreamingContext;
import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.api.Pair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The application the YARN tests submit: a queue-fed stateful word count. Batch i (1..N) holds "apple banana",
 * "apple" and i times "cherry"; running totals (updateStateByKey, checkpoint on HDFS) are saved each batch with
 * saveAsTextFiles as "word\tcount" lines. It stops by itself, gracefully, once N + 1 batches completed, so the
 * last output holds apple=2N, banana=N, cherry=N(N+1)/2.
 *
 * <p>Arguments: {@code <output prefix> <checkpoint dir> <N> [<K>]}: with K, a driver on attempt K or earlier
 * ({@code sluice.app.attempt}) throws once its first batch completed, as a crashing driver would.
 */
public final class YarnWordCountApp {
    private static final Logger LOG = LogManager.getLogger(YarnWordCountApp.class);

    private YarnWordCountApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        run(new SluiceConf(), args); // sluice.master=yarn and the rest come from the ApplicationMaster
    }

    /** The job on {@code conf} (client deploy mode: the test JVM is the driver). */
    public static void run(SluiceConf conf, String[] args) throws InterruptedException {
        String output = args[0];
        String checkpoint = args[1];
        int batches = Integer.parseInt(args[2]);
        int failUpTo = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        int attempt = conf.get(SluiceConf.APP_ATTEMPT);
        var ssc = new StreamingContext(conf, Duration.ofSeconds(1));
        ssc.checkpoint(checkpoint);
        Queue<Dataset<String>> queue = new ArrayDeque<>();
        for (int i = 1; i <= batches; i++) {
            var lines = new ArrayList<>(List.of("apple banana", "apple"));
            for (int c = 0; c < i; c++) {
                lines.add("cherry");
            }
            queue.add(ssc.parallelize(lines, 2));
        }
        DStream<String> lines = ssc.queueStream(queue, true);
        lines.flatMap(l -> List.of(l.split(" ")).iterator())
                .mapToPair(w -> Pair.of(w, 1))
                .<Integer>updateStateByKey((List<Integer> values, Optional<Integer> state) ->
                        Optional.of(state.orElse(0) + values.stream().mapToInt(Integer::intValue).sum()))
                .map(p -> p.key() + "\t" + p.value())
                .saveAsTextFiles(output);
        var done = new CountDownLatch(batches + 1);
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                done.countDown();
            }
        });
        ssc.start();
        try {
            if (attempt <= failUpTo) {
                long firstBatch = batches; // count down from batches + 1: one batch done
                while (done.getCount() > firstBatch) {
                    if (!done.await(100, TimeUnit.MILLISECONDS) && ssc.getState() != StreamingContext.State.ACTIVE) {
                        break;
                    }
                }
                throw new IllegalStateException("planned failure of the driver on attempt " + attempt);
            }
            if (!done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("only " + (batches + 1 - done.getCount()) + " of " + (batches + 1)
                        + " batches completed within 5 minutes");
            }
            LOG.info("{} batches completed; stopping", batches + 1);
        } finally {
            ssc.stop(true, true);
        }
    }
}
