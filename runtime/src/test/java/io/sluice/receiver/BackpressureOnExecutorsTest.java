package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.control.RateEstimator;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.scheduler.ClusterReceivers;
import io.sluice.storage.StorageLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure for a receiver on an executor ({@code local-cluster[2,1,512]}): the driver's rate controller sends
 * each estimate to the executor, whose receiver then never puts more than {@code rate × block interval} records into
 * a block. Receiver events from the executor reach the driver's listeners with the executor's id.
 */
class BackpressureOnExecutorsTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Records per second the estimator asks for: 5 records per 100 ms block. */
    private static final long RATE = 50;

    @TempDir
    Path workDir;

    /** Asks for {@value #RATE} records/s after every batch with records. */
    public static final class FixedRate implements RateEstimator {
        private static final long serialVersionUID = 1L;

        @Override
        public OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay) {
            return elements > 0 ? OptionalDouble.of(RATE) : OptionalDouble.empty();
        }
    }

    /** Stores numbers as fast as it is allowed to, from its own thread. */
    static final class FlatOutReceiver extends Receiver<Integer> {
        private static final long serialVersionUID = 1L;

        FlatOutReceiver() {
            super(StorageLevel.MEMORY_ONLY);
        }

        @Override
        public void onStart() {
            var t = new Thread(() -> {
                try {
                    for (int i = 0; !isStopped(); i++) {
                        store(i);
                    }
                } catch (IllegalStateException stopped) {
                    // stopped while storing
                }
            }, "flat-out-receiver");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void onStop() {
        }
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling interval of a condition with a deadline
        }
    }

    @Test
    void theExecutorsReceiverObeysTheRateTheDriverEstimates() throws Exception {
        var conf = new SluiceConf(false).setMaster("local-cluster[2,1,512]").setAppName("backpressure-on-executors")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(90))
                .set(SluiceConf.BLOCK_INTERVAL, Duration.ofMillis(100))
                .set(SluiceConf.BACKPRESSURE_ENABLED, true)
                .set(SluiceConf.BACKPRESSURE_INITIAL_RATE, 20_000L)
                .set(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR, FixedRate.class.getName());
        var blockSizesPerBatch = new CopyOnWriteArrayList<List<Integer>>();
        var receiverEvents = new CopyOnWriteArrayList<ReceiverInfo>();
        try (var cluster = new SluiceContext(conf)) {
            var ssc = new StreamingContext(cluster, Duration.ofMillis(500));
            ssc.addStreamingListener(new StreamingListener() {
                @Override
                public void onReceiverStarted(StreamingListenerEvent.ReceiverStarted event) {
                    receiverEvents.add(event.receiverInfo());
                }
            });
            ssc.receiverStream(new FlatOutReceiver()).foreachRDD(ds -> {
                List<Integer> sizes = ds.glom().map(List::size).collect();
                if (!sizes.isEmpty()) {
                    blockSizesPerBatch.add(sizes);
                }
            });
            try {
                ssc.start();
                awaitCondition(() -> blockSizesPerBatch.stream().anyMatch(s -> s.stream().anyMatch(n -> n > RATE / 10)),
                        "a batch ingested above the rate to come (at the initial rate)");
                awaitCondition(() -> ssc.rateController(0).orElseThrow().getLatestRate() == RATE,
                        "the driver estimated the rate");
                // from some batch on, every block holds at most rate x block interval records
                awaitCondition(() -> {
                    int n = blockSizesPerBatch.size();
                    return n >= 3 && blockSizesPerBatch.subList(n - 3, n).stream()
                            .allMatch(s -> s.stream().allMatch(size -> size <= RATE / 10));
                }, "three batches in a row obeyed the estimated rate");
                int from = blockSizesPerBatch.size();
                awaitCondition(() -> blockSizesPerBatch.size() >= from + 3, "three more batches");
                assertThat(blockSizesPerBatch.subList(from, blockSizesPerBatch.size()))
                        .allSatisfy(s -> assertThat(s).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(5)));

                var launcher = (ClusterReceivers) ssc.receiverTracker().launcher();
                String host = launcher.hostOf(0).orElseThrow().value();
                awaitCondition(() -> !receiverEvents.isEmpty(), "the executor's ReceiverStarted event arrived");
                ReceiverInfo started = receiverEvents.get(0);
                assertThat(started.executorId()).isEqualTo(host);
                assertThat(started.streamId()).isZero();
                assertThat(started.active()).isTrue();
                assertThat(started.location()).contains(":");
            } finally {
                ssc.stop(false, false);
            }
        }
    }
}
