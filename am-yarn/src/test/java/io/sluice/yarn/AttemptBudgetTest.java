package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptBudgetTest {
    private static final long NOW = 1_000_000_000L;

    @Test
    void withoutAValidityIntervalTheAttemptNumberDecides() {
        var budget = new AttemptBudget(2, 0);
        assertThat(budget.isLast(1, List.of(), NOW)).isFalse();
        assertThat(budget.isLast(2, List.of(NOW - 5_000_000), NOW)).isTrue();
        assertThat(budget.isLast(3, List.of(), NOW)).isTrue();
    }

    @Test
    void failuresOlderThanTheValidityIntervalDoNotCount() {
        var weekly = new AttemptBudget(2, 3_600_000);
        // attempt 5 of a job whose earlier failures were days ago: YARN will retry it
        assertThat(weekly.isLast(5, List.of(NOW - 86_400_000L * 3, NOW - 86_400_000L), NOW)).isFalse();
        // a second failure within the hour is the last one YARN accepts
        assertThat(weekly.isLast(5, List.of(NOW - 86_400_000L, NOW - 60_000), NOW)).isTrue();
    }

    @Test
    void aSingleAttemptIsAlwaysTheLast() {
        assertThat(new AttemptBudget(1, 1_000).isLast(1, List.of(), NOW)).isTrue();
        assertThat(new AttemptBudget(1, 0).isLast(1, List.of(), NOW)).isTrue();
    }

    @Test
    void nonsenseBudgetsAreRefused() {
        assertThatThrownBy(() -> new AttemptBudget(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AttemptBudget(2, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
