package io.sluice.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
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
                "sluice.streaming.unpersist: cannot parse 'maybe' as Boolean");
        assertThat(conf.check(ConfigRegistry.load()).warnings())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("sluice.no.such.key: unknown configuration key, ignored; did you mean ");
    }

    @Test
    void anUnknownKeyIsAWarningNamingTheClosestKnownKey() {
        var conf = new SluiceConf(false)
                .set("sluice.streaming.backpresure.enabled", "true")
                .set("sluice.hadoop.fs.defaultFS", "hdfs://nn:8020")
                .set("sluice.user.threshold", "3")
                .set("other.key", "x");
        var report = conf.check(ConfigRegistry.load());
        assertThat(report.errors()).isEmpty();
        assertThat(report.warnings()).containsExactly("sluice.streaming.backpresure.enabled: unknown configuration key, "
                + "ignored; did you mean sluice.streaming.backpressure.enabled?");
    }

    @Test
    void aValueUnderADeprecatedNameIsReadAndWarnedOf() {
        var registry = ConfigRegistry.of(List.of(SluiceConf.provider(), provider(RENAMED)));
        var conf = new SluiceConf(false).set("sluice.test.oldName", "7");
        assertThat(conf.get(RENAMED)).isEqualTo(7);
        assertThat(conf.contains(RENAMED)).isTrue();
        assertThat(conf.check(registry).warnings()).containsExactly("sluice.test.oldName is deprecated; use "
                + "sluice.test.newName (its value is used)");

        conf.set("sluice.test.newName", "9");
        assertThat(conf.get(RENAMED)).isEqualTo(9);
        assertThat(conf.check(registry).warnings()).containsExactly("sluice.test.oldName is deprecated and ignored: "
                + "sluice.test.newName is set too");

        var bad = new SluiceConf(false).set("sluice.test.oldName", "0");
        assertThatThrownBy(() -> bad.get(RENAMED)).hasMessage("sluice.test.oldName: expected >= 1, got 0");
        assertThat(bad.check(registry).errors()).containsExactly("sluice.test.oldName: expected >= 1, got 0");
    }

    @Test
    void aModuleDeclaringAKeyTwiceIsRefused() {
        var again = ConfigKey.key("sluice.streaming.blockInterval").durationType().doc("again");
        assertThatThrownBy(() -> ConfigRegistry.of(List.of(SluiceConf.provider(), provider(again))))
                .hasMessageContaining("sluice.streaming.blockInterval is declared twice");
    }

    @Test
    void aDefaultItsOwnCheckRefusesFailsAtDeclaration() {
        assertThatThrownBy(() -> ConfigKey.key("sluice.test.bad").intType().atLeast(1).defaultValue(0).doc("bad"))
                .hasMessage("sluice.test.bad: invalid default 0: expected >= 1");
        assertThatThrownBy(() -> ConfigKey.key("yarn.queue").stringType().doc("x")).hasMessageContaining("must start with sluice.");
    }

    private static final ConfigKey<Integer> RENAMED = ConfigKey.key("sluice.test.newName").intType().atLeast(1)
            .defaultValue(2).deprecatedNames("sluice.test.oldName").doc("A renamed key.");

    private static ConfigKeyProvider provider(ConfigKey<?> key) {
        return new ConfigKeyProvider() {
            @Override
            public String module() {
                return "test-module";
            }

            @Override
            public List<ConfigKey<?>> keys() {
                return List.of(key);
            }
        };
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
