package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffAndFailureWindowTest {
    @Test
    void backoffDoublesUpToTheCap() {
        var b = new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 2.0);
        assertThat(b.delayAfter(0)).isEqualTo(Duration.ZERO);
        assertThat(b.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.delayAfter(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(b.delayAfter(40)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void invalidBackoffIsRejected() {
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2.0))
                .hasMessageContaining("below the initial");
        assertThatThrownBy(() -> new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5))
                .hasMessageContaining("multiplier");
    }

    @Test
    void failureBudgetSlidesWithTime() {
        var w = new FailureWindow(2, Duration.ofSeconds(10));
        assertThat(w.recordFailure(0)).isTrue();
        assertThat(w.recordFailure(1_000)).isTrue();
        assertThat(w.recordFailure(2_000)).isFalse();
        assertThat(w.withinBudget(10_001)).isTrue(); // the failure at 0 left the window
        assertThat(w.failuresInWindow(10_001)).isEqualTo(2);
    }
}
