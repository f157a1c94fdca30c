package io.sluice.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SluiceConfTest {
    @Test
    void durationsAcceptTheUsualUnits() {
        var conf = new SluiceConf(false).set("sluice.streaming.blockInterval", "50ms");
        assertThat(conf.get(SluiceConf.BLOCK_INTERVAL)).isEqualTo(Duration.ofMillis(50));
        conf.set("sluice.streaming.blockInterval", "2s");
        assertThat(conf.get(SluiceConf.BLOCK_INTERVAL)).isEqualTo(Duration.ofSeconds(2));
        conf.set("sluice.streaming.gracefulStopTimeout", "1min");
        assertThat(conf.get(SluiceConf.STOP_TIMEOUT)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void outOfRangeValueNamesTheKeyAndTheValue() {
        var conf = new SluiceConf(false).set("sluice.streaming.blockInterval", "0ms");
        assertThatThrownBy(() -> conf.get(SluiceConf.BLOCK_INTERVAL))
                .hasMessage("sluice.streaming.blockInterval: expected >= 1 ms, got 0ms");
        conf.set("sluice.default.parallelism", "-1");
        assertThatThrownBy(() -> conf.get(SluiceConf.DEFAULT_PARALLELISM))
                .hasMessage("sluice.default.parallelism: expected >= 0, got -1");
    }

    @Test
    void validateReportsEveryProblemAtOnce() {
        var conf = new SluiceConf(false)
                .set("sluice.streaming.receiver.maxRate", "-5")
                .set("sluice.streaming.unpersist", "maybe")
                .set("sluice.no.such.key", "1");
        assertThat(conf.validate()).containsExactlyInAnyOrder(
                "sluice.streaming.receiver.maxRate: expected >= 0, got -5",
                "sluice.streaming.unpersist: cannot parse 'maybe' as Boolean",
                "sluice.no.such.key: unknown configuration key");
    }

    @Test
    void everyDefaultParsesBackToItself() {
        for (ConfigKey<?> key : SluiceConf.keys()) {
            if (key.defaultValue() == null) {
                continue;
            }
            var conf = new SluiceConf(false).set(key.name(), key.defaultText().equals("(none)") ? "" : key.defaultText());
            assertThat((Object) conf.get(key)).as(key.name()).isEqualTo(key.defaultValue());
        }
    }
}
