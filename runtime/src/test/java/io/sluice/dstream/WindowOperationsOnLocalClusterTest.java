package io.sluice.dstream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.scheduler.LocalClusterFixture;
import io.sluice.testkit.StreamingTestKit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link WindowOperationsTest}, with the tasks of each batch running on {@code local-cluster[2,1,512]};
 * the stateful windowed reductions are refused at start there for now (see the overrides).
 */
class WindowOperationsOnLocalClusterTest extends WindowOperationsTest {
    @RegisterExtension
    static final LocalClusterFixture cluster = new LocalClusterFixture("window-operations");

    @Override
    protected StreamingTestKit kit() {
        return StreamingTestKit.create().context(cluster.context());
    }

    // Windowed reductions with an inverse function keep state between batches, which cannot live on executors yet:
    // on local-cluster they are refused at start. Each override below says so, and fails once they are supported
    // (then delete it, so the inherited test runs here too).

    private static void assertRefusedAtStart(ThrowingCallable test) {
        assertThatThrownBy(test).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cannot run on local-cluster[2,1,512] yet")
                .hasMessageContaining("state placement on executors is not supported yet");
    }

    @Override
    @Test
    void countByWindowSkipsBatchesWithNoDataAtAll() {
        assertRefusedAtStart(super::countByWindowSkipsBatchesWithNoDataAtAll);
    }

    @Override
    @Test
    void reduceByKeyAndWindowOverSeveralInputPartitionsIntoThreeStatePartitions() {
        assertRefusedAtStart(super::reduceByKeyAndWindowOverSeveralInputPartitionsIntoThreeStatePartitions);
    }

    @Override
    @Test
    void reduceByWindowWithInverseKeepsTheZeroOnceTheWindowEmptied() {
        assertRefusedAtStart(super::reduceByWindowWithInverseKeepsTheZeroOnceTheWindowEmptied);
    }

    @Override
    @Test
    void reduceByKeyAndWindowWithInverseKeepsKeysWhoseValuesLeftWithZero() {
        assertRefusedAtStart(super::reduceByKeyAndWindowWithInverseKeepsKeysWhoseValuesLeftWithZero);
    }

    @Override
    @Test
    void countByValueAndWindowOverSeveralInputAndStatePartitions() {
        assertRefusedAtStart(super::countByValueAndWindowOverSeveralInputAndStatePartitions);
    }

    @Override
    @Test
    void countByValueAndWindowDropsValuesWhoseCountFellToZero() {
        assertRefusedAtStart(super::countByValueAndWindowDropsValuesWhoseCountFellToZero);
    }

    @Override
    @Test
    void slideLongerThanWindowSkipsTheBatchesBetweenWindows() {
        assertRefusedAtStart(super::slideLongerThanWindowSkipsTheBatchesBetweenWindows);
    }

    @Override
    @Test
    void countByWindowIsEmptyBeforeAnyDataAndZeroOnceDrained() {
        assertRefusedAtStart(super::countByWindowIsEmptyBeforeAnyDataAndZeroOnceDrained);
    }

    @Override
    @Test
    void countByWindowWithSlideLongerThanWindowCountsOnlyTheCoveredBatches() {
        assertRefusedAtStart(super::countByWindowWithSlideLongerThanWindowCountsOnlyTheCoveredBatches);
    }

    @Override
    @Test
    void reduceByKeyAndWindowWithInverseAndFilterEqualsTheRecomputingForm() {
        assertRefusedAtStart(super::reduceByKeyAndWindowWithInverseAndFilterEqualsTheRecomputingForm);
    }

    @Override
    @Test
    void windowOfFourSecondsSlidingByTwoEmitsEveryTwoSecondsStartingPartial() {
        assertRefusedAtStart(super::windowOfFourSecondsSlidingByTwoEmitsEveryTwoSecondsStartingPartial);
    }
}
