package io.sluice.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.storage.BlockStore;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The fixed rate limit ({@code sluice.streaming.receiver.maxRate}) and backpressure's rates, as receivers obey them. */
class ReceiverRateLimitTest {

    private static ReceiverSupervisor.Settings settings(long maxRate, long initialRate) {
        return new ReceiverSupervisor.Settings(Duration.ofMillis(100), maxRate, Duration.ofMillis(10),
                Duration.ofMillis(10), initialRate);
    }

    @Test
    void aReceiverStoringAsFastAsItCanNeverPutsMoreThanMaxRateTimesTheBlockIntervalIntoABlock() throws Exception {
        var clock = new ManualClock();
        var receiver = new ControlledReceiver<Integer>();
        var blocks = new CopyOnWriteArrayList<ReceivedBlockInfo>();
        // 50 records/s with 100 ms blocks: at most 5 records per block
        var supervisor = new ReceiverSupervisor<>(receiver, 3, clock, settings(50, 0), new BlockStore(), blocks::add,
                e -> { });
        supervisor.start();
        Await.until("the receiver started", receiver::isStarted);
        var producer = new Thread(() -> {
            try {
                for (int i = 0; ; i++) {
                    receiver.store(i); // blocks while the limit is reached
                }
            } catch (IllegalStateException stopped) {
                // the supervisor stopped
            }
        }, "rate-limit-test-producer");
        producer.setDaemon(true);
        producer.start();
        try {
            for (long t = 10; t <= 3000; t += 10) {
                clock.setTime(t);
                if (t % 100 == 0) {
                    long tick = t;
                    Await.until("the block generator ticked at " + tick,
                            () -> supervisor.blockGenerator().lastTickMillis() >= tick);
                }
            }
            assertThat(blocks).isNotEmpty().allSatisfy(b -> assertThat(b.numRecords()).isLessThanOrEqualTo(5));
            long total = blocks.stream().mapToLong(ReceivedBlockInfo::numRecords).sum();
            assertThat(total).as("records stored in 3 s at 50 records/s").isLessThanOrEqualTo(50 * 3 + 5);
            // the producer is never starved for good: time keeps moving and full blocks appear
            for (long t = 3010; blocks.stream().noneMatch(b -> b.numRecords() == 5); t += 10) {
                clock.setTime(t);
                long tick = t;
                Await.until("the block generator ticked at " + tick,
                        () -> supervisor.blockGenerator().lastTickMillis() >= tick - tick % 100);
            }
            assertThat(blocks).allSatisfy(b -> assertThat(b.numRecords()).isLessThanOrEqualTo(5));
        } finally {
            supervisor.stop(false);
            producer.join(10_000);
        }
        assertThat(producer.isAlive()).isFalse();
    }

    @Test
    void aReceiverStartsAtTheInitialRateCappedByTheMaximumAndBackpressureNeverLiftsItAboveTheMaximum() {
        var clock = new ManualClock();
        var capped = new ReceiverSupervisor<>(new ControlledReceiver<Integer>(), 1, clock, settings(700, 5000),
                new BlockStore(), b -> { }, e -> { });
        assertThat(capped.rateLimiter().rate()).isEqualTo(700);
        capped.updateRateLimit(300);
        assertThat(capped.rateLimiter().rate()).isEqualTo(300);
        capped.updateRateLimit(1200);
        assertThat(capped.rateLimiter().rate()).isEqualTo(700);
        capped.updateRateLimit(0);
        assertThat(capped.rateLimiter().rate()).as("a rate that is not positive is ignored").isEqualTo(700);

        var uncapped = new ReceiverSupervisor<>(new ControlledReceiver<Integer>(), 2, clock, settings(0, 5000),
                new BlockStore(), b -> { }, e -> { });
        assertThat(uncapped.rateLimiter().rate()).isEqualTo(5000);
        uncapped.updateRateLimit(12_000);
        assertThat(uncapped.rateLimiter().rate()).isEqualTo(12_000);

        var fixed = new ReceiverSupervisor<>(new ControlledReceiver<Integer>(), 3, clock, settings(40, 0),
                new BlockStore(), b -> { }, e -> { });
        assertThat(fixed.rateLimiter().rate()).as("no initial rate: the maximum").isEqualTo(40);
    }

    @Test
    void theInitialRateAppliesOnlyWithBackpressure() {
        var conf = new SluiceConf(false).set(SluiceConf.BACKPRESSURE_INITIAL_RATE, 5000L)
                .set(SluiceConf.RECEIVER_MAX_RATE, 9000L);
        assertThat(ReceiverSupervisor.Settings.from(conf).startRate()).isEqualTo(9000);
        conf.set(SluiceConf.BACKPRESSURE_ENABLED, true);
        assertThat(ReceiverSupervisor.Settings.from(conf).startRate()).isEqualTo(5000);
    }

    /** Asks for 100 records/s per record of the last batch, so that the test controls the estimate. */
    public static final class HundredPerRecord implements io.sluice.control.RateEstimator {
        private static final long serialVersionUID = 1L;

        @Override
        public OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay) {
            return elements > 0 ? OptionalDouble.of(elements * 100.0) : OptionalDouble.empty();
        }
    }

    @Test
    void withBackpressureEachBatchsEstimateReachesTheReceiversRateLimiterCappedByTheMaximum() {
        var receiver = new ControlledReceiver<Integer>();
        try (var harness = StreamingTestKit.create()
                .conf(SluiceConf.BACKPRESSURE_ENABLED.name(), "true")
                .conf(SluiceConf.BACKPRESSURE_INITIAL_RATE.name(), "5000")
                .conf(SluiceConf.RECEIVER_MAX_RATE.name(), "700")
                .conf(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR.name(), HundredPerRecord.class.getName())
                .open()) {
            StreamingContext ssc = harness.context();
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            harness.runBatches(0);
            Await.until("the receiver started", receiver::isStarted);
            RateLimiter limiter = ssc.receiverTracker().supervisor(0).rateLimiter();
            assertThat(limiter.rate()).as("initial rate capped by the maximum").isEqualTo(700);
            assertThat(ssc.rateController(0)).hasValueSatisfying(c -> assertThat(c.getLatestRate()).isEqualTo(-1));

            receiver.store(List.of(1, 2, 3));
            harness.runBatches(1); // waits for the listener bus too
            assertThat(limiter.rate()).isEqualTo(300);
            assertThat(ssc.rateController(0)).hasValueSatisfying(c -> assertThat(c.getLatestRate()).isEqualTo(300));

            receiver.store(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
            harness.runBatches(1);
            assertThat(ssc.rateController(0)).hasValueSatisfying(c -> assertThat(c.getLatestRate()).isEqualTo(1000));
            assertThat(limiter.rate()).as("capped by the maximum rate").isEqualTo(700);

            harness.runBatches(1); // no records: no estimate, the limit stays
            assertThat(limiter.rate()).isEqualTo(700);
        }
    }

    @Test
    void withoutBackpressureThereIsNoRateController() {
        var receiver = new ControlledReceiver<Integer>();
        try (var harness = StreamingTestKit.create().conf(SluiceConf.RECEIVER_MAX_RATE.name(), "700").open()) {
            StreamingContext ssc = harness.context();
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            harness.runBatches(1);
            assertThat(ssc.rateController(0)).isEmpty();
            assertThat(ssc.receiverTracker().supervisor(0).rateLimiter().rate()).isEqualTo(700);
        }
    }

    @Test
    void aBadEstimatorClassFailsStartNamingTheKeyAndStartsNothing() {
        var receiver = new ControlledReceiver<Integer>();
        try (var harness = StreamingTestKit.create()
                .conf(SluiceConf.BACKPRESSURE_ENABLED.name(), "true")
                .conf(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR.name(), "com.example.Missing")
                .open()) {
            StreamingContext ssc = harness.context();
            ssc.receiverStream(receiver).foreachRDD(ds -> ds.count());
            org.assertj.core.api.Assertions.assertThatThrownBy(ssc::start)
                    .hasMessageContaining("sluice.streaming.backpressure.rateEstimator")
                    .hasMessageContaining("com.example.Missing");
            assertThat(receiver.starts.get()).isZero();
            assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
        }
    }
}
