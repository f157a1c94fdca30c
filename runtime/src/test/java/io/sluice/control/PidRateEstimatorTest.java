package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sluice.conf.SluiceConf;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The PID estimator against values worked out by hand from its formula (batch interval 1 s throughout). */
class PidRateEstimatorTest {

    private static PidRateEstimator pi() {
        return new PidRateEstimator(1000, 1.0, 0.2, 0.0, 100);
    }

    private static double rate(OptionalDouble r) {
        assertThat(r).isPresent();
        return r.getAsDouble();
    }

    @Test
    void theFirstBatchOnlyRecordsTheProcessingRateAndEstimatesNothing() {
        var pid = pi();
        assertThat(pid.compute(1000, 5000, 500, 0)).isEmpty(); // processed 10000 records/s
        // latestRate 10000, error 10000 - 6000 = 4000, no backlog: 10000 - 1.0 * 4000 = 6000
        assertThat(rate(pid.compute(2000, 6000, 1000, 0))).isCloseTo(6000, within(1e-9));
    }

    @Test
    void withoutSchedulingDelayTheDefaultsFollowTheProcessingRate() {
        var pid = pi();
        pid.compute(1000, 5000, 500, 0);
        assertThat(rate(pid.compute(2000, 6000, 1000, 0))).isCloseTo(6000, within(1e-9));
        // processing rate 3000/1000 ms = 3000: error 3000, 6000 - 3000 = 3000
        assertThat(rate(pid.compute(3000, 3000, 1000, 0))).isCloseTo(3000, within(1e-9));
    }

    @Test
    void theIntegralTermTakesAFifthOfTheBacklogOffTheNextRate() {
        var pid = pi();
        pid.compute(1000, 5000, 500, 0);
        pid.compute(2000, 6000, 1000, 0); // latestRate 6000
        // processing rate 6000 / 1.2 s = 5000; error 1000; backlog 600 ms * 5000/s / 1000 ms = 3000
        // 6000 - 1000 - 0.2 * 3000 = 4400
        assertThat(rate(pid.compute(3000, 6000, 1200, 600))).isCloseTo(4400, within(1e-9));
    }

    @Test
    void theDerivativeTermUsesTheChangeOfTheErrorPerSecondSinceTheLastEstimate() {
        var pid = new PidRateEstimator(1000, 1.0, 0.2, 0.5, 100);
        pid.compute(1000, 5000, 500, 0); // latestRate 10000, latestError 0
        // error 4000, dError (4000 - 0) / 1 s = 4000: 10000 - 4000 - 0 - 0.5 * 4000 = 4000
        assertThat(rate(pid.compute(2000, 6000, 1000, 0))).isCloseTo(4000, within(1e-9));
        // two seconds later: processing rate 5000, error 4000 - 5000 = -1000, backlog 3000,
        // dError (-1000 - 4000) / 2 s = -2500: 4000 + 1000 - 600 + 1250 = 5650
        assertThat(rate(pid.compute(4000, 6000, 1200, 600))).isCloseTo(5650, within(1e-9));
    }

    @Test
    void theEstimateNeverFallsBelowTheMinimumRate() {
        var pid = pi();
        pid.compute(1000, 5000, 500, 0); // latestRate 10000
        // processing rate 50: 10000 - 9950 = 50, raised to the minimum 100
        assertThat(rate(pid.compute(2000, 50, 1000, 0))).isCloseTo(100, within(1e-9));
        var strict = new PidRateEstimator(1000, 1.0, 0.2, 0.0, 750);
        strict.compute(1000, 5000, 500, 0);
        assertThat(rate(strict.compute(2000, 50, 1000, 0))).isCloseTo(750, within(1e-9));
    }

    @Test
    void batchesWithoutRecordsOrProcessingTimeOrThatAreNotLaterEstimateNothingAndChangeNothing() {
        var pid = pi();
        assertThat(pid.compute(1000, 0, 500, 0)).as("no records before the first estimate").isEmpty();
        assertThat(pid.compute(1500, 5000, 500, 0)).as("still the first real batch").isEmpty();
        assertThat(pid.compute(2000, 0, 1000, 0)).as("no records").isEmpty();
        assertThat(pid.compute(2000, 6000, 0, 0)).as("no processing time").isEmpty();
        assertThat(pid.compute(1500, 6000, 1000, 0)).as("same batch time").isEmpty();
        assertThat(pid.compute(1000, 6000, 1000, 0)).as("earlier batch time").isEmpty();
        // as if only the batch of 1500 ms had been seen: 10000 - (10000 - 6000) = 6000
        assertThat(rate(pid.compute(3000, 6000, 1000, 0))).isCloseTo(6000, within(1e-9));
    }

    @Test
    void invalidParametersAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> new PidRateEstimator(0, 1, 0.2, 0, 100)).hasMessageContaining("batch interval");
        assertThatThrownBy(() -> new PidRateEstimator(1000, -1, 0.2, 0, 100))
                .hasMessageContaining("sluice.streaming.backpressure.pid.proportional").hasMessageContaining("-1");
        assertThatThrownBy(() -> new PidRateEstimator(1000, 1, -0.2, 0, 100))
                .hasMessageContaining("sluice.streaming.backpressure.pid.integral");
        assertThatThrownBy(() -> new PidRateEstimator(1000, 1, 0.2, -1, 100))
                .hasMessageContaining("sluice.streaming.backpressure.pid.derivative");
        assertThatThrownBy(() -> new PidRateEstimator(1000, 1, 0.2, 0, 0))
                .hasMessageContaining("sluice.streaming.backpressure.pid.minRate");
    }

    @Test
    void theConfigurationRefusesBadValuesWithTheKeyAndTheValue() {
        var conf = new SluiceConf(false).set("sluice.streaming.backpressure.pid.integral", "-0.5")
                .set("sluice.streaming.backpressure.pid.minRate", "0")
                .set("sluice.streaming.backpressure.pid.proportional", "lots");
        assertThat(conf.validate()).anySatisfy(e -> assertThat(e)
                        .contains("sluice.streaming.backpressure.pid.integral").contains("-0.5"))
                .anySatisfy(e -> assertThat(e).contains("sluice.streaming.backpressure.pid.minRate").contains("> 0"))
                .anySatisfy(e -> assertThat(e).contains("sluice.streaming.backpressure.pid.proportional").contains("lots"));
        assertThatThrownBy(() -> RateEstimator.create(conf, Duration.ofSeconds(1)))
                .hasMessageContaining("sluice.streaming.backpressure.pid");
    }

    @Test
    void theConfiguredWeightsAreUsed() {
        var conf = new SluiceConf(false).set(SluiceConf.BACKPRESSURE_PID_INTEGRAL, 0.5);
        var pid = RateEstimator.create(conf, Duration.ofSeconds(1));
        assertThat(pid).isInstanceOf(PidRateEstimator.class);
        pid.compute(1000, 5000, 500, 0);
        pid.compute(2000, 6000, 1000, 0);
        // 6000 - 1000 - 0.5 * 3000 = 3500
        assertThat(rate(pid.compute(3000, 6000, 1200, 600))).isCloseTo(3500, within(1e-9));
    }

    /** A custom estimator, as an application would name it. */
    public static final class HalfOfProcessed implements RateEstimator {
        private static final long serialVersionUID = 1L;
        final long batchIntervalMs;

        public HalfOfProcessed(SluiceConf conf, Duration batchInterval) {
            this.batchIntervalMs = batchInterval.toMillis();
        }

        @Override
        public OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay) {
            return processingDelay > 0 ? OptionalDouble.of(elements * 500.0 / processingDelay) : OptionalDouble.empty();
        }
    }

    /** A custom estimator with a no-argument constructor. */
    public static final class Fixed implements RateEstimator {
        private static final long serialVersionUID = 1L;

        @Override
        public OptionalDouble compute(long time, long elements, long processingDelay, long schedulingDelay) {
            return OptionalDouble.of(42);
        }
    }

    @Test
    void aCustomEstimatorClassIsBuiltWithTheConfigurationAndBatchIntervalOrWithoutArguments() {
        var conf = new SluiceConf(false).set(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR, HalfOfProcessed.class.getName());
        RateEstimator e = RateEstimator.create(conf, Duration.ofMillis(2000));
        assertThat(e).isInstanceOf(HalfOfProcessed.class);
        assertThat(((HalfOfProcessed) e).batchIntervalMs).isEqualTo(2000);
        assertThat(rate(e.compute(1000, 1000, 1000, 0))).isCloseTo(500, within(1e-9));

        conf.set(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR, Fixed.class.getName());
        assertThat(RateEstimator.create(conf, Duration.ofSeconds(1))).isInstanceOf(Fixed.class);
    }

    @Test
    void anUnknownOrUnsuitableEstimatorClassIsRefusedNamingTheKeyAndTheClass() {
        var conf = new SluiceConf(false).set(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR, "com.example.NoSuchEstimator");
        assertThatThrownBy(() -> RateEstimator.create(conf, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.streaming.backpressure.rateEstimator")
                .hasMessageContaining("com.example.NoSuchEstimator").hasMessageContaining("not found");
        conf.set(SluiceConf.BACKPRESSURE_RATE_ESTIMATOR, String.class.getName());
        assertThatThrownBy(() -> RateEstimator.create(conf, Duration.ofSeconds(1)))
                .hasMessageContaining("java.lang.String").hasMessageContaining("does not implement");
    }
}
