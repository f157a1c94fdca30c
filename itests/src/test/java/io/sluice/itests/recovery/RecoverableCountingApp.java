package io.sluice.itests.recovery;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.State;
import io.sluice.api.StateSpec;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.storage.StorageLevel;
import io.sluice.testkit.AckingNumberReceiver;
import java.time.Duration;
import java.util.Optional;

/**
 * The driver the recovery tests start as a process of its own and kill: numbers from a replaying source (acknowledged
 * only once stored), counted per key (n mod 10) by updateStateByKey ("totals"), mapWithState ("seen") and a window
 * with an inverse function; every batch saves the numbers it got and the three counts to the output directory.
 * Continues from its checkpoint through {@link StreamingContext#getOrCreate} when started again.
 *
 * <p>Arguments: checkpointDir outputDir sourceHost sourcePort master walEnabled workDir
 */
public final class RecoverableCountingApp {
    private RecoverableCountingApp() {
    }

    public static void main(String[] args) throws Exception {
        String checkpointDir = args[0];
        String output = args[1];
        String host = args[2];
        int port = Integer.parseInt(args[3]);
        String master = args[4];
        boolean wal = Boolean.parseBoolean(args[5]);
        String workDir = args[6];
        var ssc = StreamingContext.getOrCreate(checkpointDir, () -> {
            var conf = new SluiceConf().setMaster(master).setAppName("recoverable-counting")
                    .set(SluiceConf.RECEIVER_WAL_ENABLE, wal)
                    .set(SluiceConf.UI_ENABLED, false)
                    .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir)
                    .set(SluiceConf.RPC_IO_THREADS, 1)
                    .set(SluiceConf.BLOCK_INTERVAL, Duration.ofMillis(1000))
                    .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120));
            var ssc2 = new StreamingContext(conf, Duration.ofSeconds(2));
            ssc2.checkpoint(checkpointDir);
            var numbers = ssc2.receiverStream(new AckingNumberReceiver(host, port, StorageLevel.MEMORY_AND_DISK_SER_2));
            numbers.saveAsTextFiles(output + "/numbers", "txt");
            var keyed = PairDStream.of(numbers.mapToPair(n -> Pair.of(n % 10, 1L)));
            var totals = keyed.<Long>updateStateByKey((values, state) -> Optional.of(state.orElse(0L) + values.size()), 2)
                    .uid("totals");
            totals.checkpoint(Duration.ofSeconds(4));
            totals.map(p -> p.key() + "=" + p.value()).saveAsTextFiles(output + "/totals", "txt");
            StateSpec<Long, Long, Long, Long> counting = StateSpec.function(
                    (Long key, Optional<Long> one, State<Long> state) -> {
                        long n = (state.exists() ? state.get() : 0L) + one.orElse(0L);
                        state.update(n);
                        return Optional.<Long>empty();
                    });
            var seen = keyed.mapWithState(counting.numPartitions(2)).uid("seen");
            seen.stateSnapshots().map(p -> p.key() + "=" + p.value()).saveAsTextFiles(output + "/seen", "txt");
            keyed.reduceByKeyAndWindow(Long::sum, (a, b) -> a - b, Duration.ofSeconds(6), Duration.ofSeconds(2), 2)
                    .map(p -> p.key() + "=" + p.value()).saveAsTextFiles(output + "/window", "txt");
            return ssc2;
        });
        ssc.start();
        ssc.awaitTermination();
    }
}
