package io.sluice.api;

import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * Started by {@link JvmOptionsAtStartTest} in a JVM without the add-opens options: a stateless job without a checkpoint
 * directory, then a stateful job with one, on {@code local[2]}; prints how each start went.
 */
public final class StartWithoutOpensMain {
    private StartWithoutOpensMain() {
    }

    public static void main(String[] args) {
        var stateless = new StreamingContext(conf(), Durations.seconds(1));
        stateless.queueStream(new ArrayDeque<Dataset<String>>()).map(String::length).foreachRDD(ds -> { });
        stateless.start();
        System.out.println("stateless: started");
        stateless.stop();

        var stateful = new StreamingContext(conf(), Durations.seconds(1));
        stateful.checkpoint(args[0]);
        stateful.queueStream(new ArrayDeque<Dataset<String>>()).mapToPair(w -> Pair.of(w, 1))
                .updateStateByKey((List<Integer> values, Optional<Integer> sum) -> Optional.of(sum.orElse(0) + values.size()))
                .foreachRDD(ds -> { });
        try {
            stateful.start();
            System.out.println("stateful: started");
            stateful.stop();
        } catch (IllegalStateException e) {
            System.out.println("stateful: refused: " + e.getMessage());
            System.out.println("stateful: " + stateful.getState());
        }
        System.exit(0);
    }

    private static SluiceConf conf() {
        return new SluiceConf(false).setMaster("local[2]").set(SluiceConf.UI_ENABLED, false);
    }
}
