package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.control.ExecutorCountHistory.Range;
import org.junit.jupiter.api.Test;

class ExecutorCountHistoryTest {
    private final ExecutorCountHistory history = new ExecutorCountHistory();

    @Test
    void aSpanGetsEveryReadingFromTheLastBeforeItToTheFirstAfterIt() {
        history.record(0, 2);
        history.record(10, 2);
        history.record(20, 7);
        history.record(30, 7);
        assertThat(history.during(12, 18)).isEqualTo(new Range(2, 7));
        assertThat(history.during(21, 29)).isEqualTo(new Range(7, 7));
        assertThat(history.during(0, 10)).isEqualTo(new Range(2, 2));
        assertThat(history.during(5, 35)).isEqualTo(new Range(2, 7));
    }

    @Test
    void readingsAroundARequestShareATimeAndOnlyASpanStartingThenSeesBoth() {
        history.record(10, 2);
        history.record(10, 7); // a release or an instant launch at 10
        history.record(20, 7);
        assertThat(history.during(10, 15)).isEqualTo(new Range(2, 7));
        assertThat(history.during(11, 15)).isEqualTo(new Range(7, 7));
    }

    @Test
    void runsOfEqualReadingsKeepOnlyTheirEnds() {
        for (int t = 0; t <= 100; t += 10) {
            history.record(t, 3);
        }
        assertThat(history.size()).isEqualTo(2);
        history.record(110, 4);
        assertThat(history.during(50, 60)).isEqualTo(new Range(3, 3));
        assertThat(history.during(50, 105)).isEqualTo(new Range(3, 4));
    }

    @Test
    void forgettingKeepsTheReadingThatStillBoundsLaterSpans() {
        history.record(0, 1);
        history.record(10, 2);
        history.record(20, 3);
        history.forgetBefore(15);
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.during(15, 18)).isEqualTo(new Range(2, 3));
        assertThat(history.during(0, 5)).isEqualTo(new Range(2, 2)); // an older span gets the oldest reading kept
    }
}
