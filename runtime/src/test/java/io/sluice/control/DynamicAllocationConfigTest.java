package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DynamicAllocationConfigTest {
    private final SluiceConf conf = new SluiceConf(false);

    @Test
    void defaultsAreDisabledWithTheInitialCountAtTheMinimum() {
        var c = DynamicAllocationConfig.from(conf);
        assertThat(c).isEqualTo(new DynamicAllocationConfig(false, 0, Integer.MAX_VALUE, 0, Duration.ofSeconds(10),
                0.9, 0.5, 1, 3));
    }

    @Test
    void readsEveryKey() {
        conf.set("sluice.dynamicAllocation.enabled", "true")
                .set("sluice.dynamicAllocation.minExecutors", "2")
                .set("sluice.dynamicAllocation.maxExecutors", "20")
                .set("sluice.dynamicAllocation.initialExecutors", "4")
                .set("sluice.dynamicAllocation.scalingInterval", "30s")
                .set("sluice.dynamicAllocation.scaleUpRatio", "0.8")
                .set("sluice.dynamicAllocation.scaleDownRatio", "0.3")
                .set("sluice.dynamicAllocation.scaleDownStep", "2")
                .set("sluice.dynamicAllocation.backlogDrainIntervals", "5");
        assertThat(conf.validate()).isEmpty();
        assertThat(DynamicAllocationConfig.from(conf)).isEqualTo(new DynamicAllocationConfig(true, 2, 20, 4,
                Duration.ofSeconds(30), 0.8, 0.3, 2, 5));
    }

    @Test
    void initialOutsideMinAndMaxFailsNamingAllThree() {
        conf.set(SluiceConf.DYN_ALLOC_MIN, 5).set(SluiceConf.DYN_ALLOC_INITIAL, 3).set(SluiceConf.DYN_ALLOC_MAX, 10);
        assertThatThrownBy(() -> DynamicAllocationConfig.from(conf))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minExecutors <= initialExecutors <= maxExecutors")
                .hasMessageContaining("sluice.dynamicAllocation.minExecutors=5")
                .hasMessageContaining("sluice.dynamicAllocation.initialExecutors=3")
                .hasMessageContaining("sluice.dynamicAllocation.maxExecutors=10");

        conf.set(SluiceConf.DYN_ALLOC_INITIAL, 11);
        assertThatThrownBy(() -> DynamicAllocationConfig.from(conf)).hasMessageContaining("initialExecutors=11");
    }

    @Test
    void minAboveMaxFailsEvenWithTheInitialCountUnset() {
        conf.set(SluiceConf.DYN_ALLOC_MIN, 8).set(SluiceConf.DYN_ALLOC_MAX, 4);
        assertThatThrownBy(() -> DynamicAllocationConfig.from(conf))
                .hasMessageContaining("minExecutors=8")
                .hasMessageContaining("initialExecutors=8 (unset means the minimum)")
                .hasMessageContaining("maxExecutors=4");
    }

    @Test
    void scaleDownRatioMustBeBelowScaleUpRatio() {
        conf.set(SluiceConf.DYN_ALLOC_UP_RATIO, 0.6).set(SluiceConf.DYN_ALLOC_DOWN_RATIO, 0.6);
        assertThatThrownBy(() -> DynamicAllocationConfig.from(conf))
                .hasMessageContaining("sluice.dynamicAllocation.scaleDownRatio < sluice.dynamicAllocation.scaleUpRatio")
                .hasMessageContaining("got 0.6 and 0.6");
    }

    @Test
    void ratiosOutsideZeroToOneAreRejectedByTheKey() {
        conf.set("sluice.dynamicAllocation.scaleUpRatio", "1.5");
        assertThat(conf.validate()).containsExactly(
                "sluice.dynamicAllocation.scaleUpRatio: expected a fraction > 0 and <= 1, got 1.5");
        assertThatThrownBy(() -> DynamicAllocationConfig.from(conf)).hasMessageContaining("scaleUpRatio");
    }
}
