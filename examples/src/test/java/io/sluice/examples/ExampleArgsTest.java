package io.sluice.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExampleArgsTest {
    @Test
    void parsesDurationsWithUnitsAndBareSeconds() {
        assertThat(ExampleArgs.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ExampleArgs.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(ExampleArgs.parseDuration("2min")).isEqualTo(Duration.ofMinutes(2));
        assertThat(ExampleArgs.parseDuration(" 10 ")).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> ExampleArgs.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void positionalArgumentsFallBackToTheirDefaults() {
        var a = ExampleArgs.parse("usage", new String[] {"7", "local[3]"});
        assertThat(a.duration(0, "seconds", Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(7));
        assertThat(a.master(1)).isEqualTo("local[3]");
        assertThat(a.integer(2, "lines", 100)).isEqualTo(100);
        assertThat(ExampleArgs.parse("usage", new String[0]).master(0))
                .isEqualTo(System.getProperty("sluice.master", "local[2]"));
    }
}
