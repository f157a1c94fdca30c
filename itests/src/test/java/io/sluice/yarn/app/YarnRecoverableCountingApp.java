package io.sluice.yarn.app;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.storage.StorageLevel;
import io.sluice.testkit.AckingNumberReceiver;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The application of the YARN recovery tests, as a user would write it for a cluster: receiver-fed (numbers from a
 * replaying source, acknowledged once stored and logged), the write-ahead log on, checkpoints on HDFS, built through
 * {@link StreamingContext#getOrCreate} so that a new ApplicationMaster attempt continues the run of the one that died.
 * Counts per key (n mod 10) with updateStateByKey ("totals") and mapWithState ("seen"); every batch saves its numbers
 * and both counts. It stops gracefully, the way long-running jobs are usually told to, when the file
 * {@code <output>/_STOP} appears.
 *
 * <p>Arguments: {@code <checkpoint dir> <output dir> <source host> <source port>}.
 */
public final class YarnRecoverableCountingApp {
    private static final Logger LOG = LogManager.getLogger(YarnRecoverableCountingApp.class);
    public static final String STOP_MARKER = "_STOP";

    private YarnRecoverableCountingApp() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        String output = args[1];
        String host = args[2];
        int port = Integer.parseInt(args[3]);
        var ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            // sluice.master=yarn, the application id and attempt come from the ApplicationMaster
            var conf = new SluiceConf().setAppName("yarn-recoverable-counting")
                    .set(SluiceConf.RECEIVER_WAL_ENABLE, true)
                    .set(SluiceConf.BLOCK_INTERVAL, Duration.ofMillis(500));
            var context = new StreamingContext(conf, Duration.ofSeconds(1));
            context.checkpoint(checkpointDir);
            var numbers = context.receiverStream(new AckingNumberReceiver(host, port, StorageLevel.MEMORY_AND_DISK_SER_2));
            numbers.saveAsTextFiles(output + "/numbers", "txt");
            var keyed = PairDStream.of(numbers.mapToPair(n -> Pair.of(n % 10, 1L)));
            var totals = keyed.<Long>updateStateByKey((values, state) -> Optional.of(state.orElse(0L) + values.size()), 2)
                    .uid("totals");
            totals.checkpoint(Duration.ofSeconds(3));
            totals.map(p -> p.key() + "=" + p.value()).saveAsTextFiles(output + "/totals", "txt");
            StateSpec<Long, Long, Long, Long> counting = StateSpec.function(
                    (Long key, Optional<Long> one, State<Long> state) -> {
                        state.update((state.exists() ? state.get() : 0L) + one.orElse(0L));
                        return Optional.<Long>empty();
                    });
            keyed.mapWithState(counting.numPartitions(2)).uid("seen")
                    .stateSnapshots().map(p -> p.key() + "=" + p.value()).saveAsTextFiles(output + "/seen", "txt");
            return context;
        });
        var stop = new Path(output, STOP_MARKER);
        FileSystem fs = stop.getFileSystem(new org.apache.hadoop.conf.Configuration());
        var stopRequested = new java.util.concurrent.CountDownLatch(1);
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                try {
                    if (fs.exists(stop)) {
                        stopRequested.countDown();
                    }
                } catch (IOException e) {
                    LOG.warn("Cannot look for the stop marker {}: {}", stop, e.toString());
                }
            }
        });
        ssc.start();
        LOG.info("Counting numbers from {}:{}; recovering: {}", host, port, ssc.isRecovering());
        while (!stopRequested.await(1, TimeUnit.SECONDS)) {
            if (ssc.getState() != StreamingContext.State.ACTIVE) {
                throw new IllegalStateException("the streaming context stopped by itself");
            }
        }
        LOG.info("Stop marker {} found: stopping gracefully", stop);
        ssc.stop(true, true);
    }
}
