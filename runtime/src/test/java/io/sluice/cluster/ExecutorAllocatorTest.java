package io.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.control.FailureWindow;
import io.sluice.control.RestartBackoff;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExecutorAllocatorTest {
    private final ManualClock clock = new ManualClock(0);
    private final TestingClusterBackend backend = new TestingClusterBackend();
    private final List<String> fatal = new ArrayList<>();
    private Set<ExecutorId> pinned = Set.of();
    private ExecutorAllocator allocator;

    @BeforeEach
    void setUp() {
        allocator = new ExecutorAllocator(backend, new ExecutorSpec(1, 512, Map.of()), clock, Runnable::run,
                Duration.ofSeconds(30), new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
                new FailureWindow(3, Duration.ofMinutes(5)), id -> !pinned.contains(id), fatal::add);
    }

    @Test
    void launchesTheMissingExecutorsInOneStep() {
        allocator.requestTotalExecutors(3);
        assertThat(backend.launches).hasSize(3);
        assertThat(allocator.pendingLaunches()).isEqualTo(3);

        var ids = backend.acceptAll();
        assertThat(allocator.registering()).isEqualTo(3);
        ids.forEach(allocator::onRegistered);
        assertThat(allocator.running()).containsExactlyElementsOf(ids);

        allocator.requestTotalExecutors(3);
        assertThat(backend.launches).hasSize(3);
    }

    @Test
    void launchesPreferTheHostsOfTheExecutorsTheLocalityHintNames() {
        var hint = new ArrayList<ExecutorId>();
        var hinted = new ExecutorAllocator(backend, new ExecutorSpec(1, 512, Map.of()), clock, Runnable::run,
                Duration.ofSeconds(30), new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
                new FailureWindow(3, Duration.ofMinutes(5)), id -> true, fatal::add, () -> List.copyOf(hint));
        hinted.requestTotalExecutors(3);
        var ids = backend.acceptAll();
        hinted.executorLaunched(ids.get(0), "node-a");
        hinted.executorLaunched(ids.get(1), "node-b");
        hinted.executorLaunched(ids.get(2), "node-a");
        ids.forEach(hinted::onRegistered);
        assertThat(backend.specs).allSatisfy(s -> assertThat(s.preferredHosts()).isEmpty());

        // receivers on exec-1 and exec-2 (exec-2 first), nothing known of exec-9: one entry per host, in the hint's order
        hint.addAll(List.of(ids.get(2), new ExecutorId("exec-9"), ids.get(1), ids.get(0)));
        hinted.requestTotalExecutors(4);
        assertThat(backend.specs.get(3).preferredHosts()).containsExactly("node-a", "node-b");
        assertThat(backend.specs.get(3).cores()).isEqualTo(1);

        // a released executor's host is forgotten
        backend.acceptAll();
        hinted.requestTotalExecutors(1);
        hint.clear();
        hint.add(ids.get(1));
        hinted.requestTotalExecutors(2);
        assertThat(backend.specs.get(4).preferredHosts()).isEmpty();
    }

    @Test
    void releasesNewestRegisteredExecutorsFirstButNeverPinnedOnes() {
        allocator.requestTotalExecutors(3);
        var ids = backend.acceptAll();
        ids.forEach(allocator::onRegistered);
        pinned = Set.of(ids.get(2));

        allocator.requestTotalExecutors(1);
        assertThat(backend.released).containsExactly(ids.get(1), ids.get(0));
        assertThat(allocator.running()).containsExactly(ids.get(2));
    }

    @Test
    void cancelledLaunchIsReleasedWhenTheClusterManagerAnswersLate() {
        allocator.requestTotalExecutors(2);
        allocator.requestTotalExecutors(1);
        assertThat(allocator.pendingLaunches()).isEqualTo(1);
        var ids = backend.acceptAll();
        assertThat(backend.released).containsExactly(ids.get(1));
        assertThat(allocator.registering()).isEqualTo(1);
    }

    @Test
    void lostExecutorIsReplacedAfterBackoffAndPreemptionIsFree() {
        allocator.requestTotalExecutors(1);
        var first = backend.acceptAll().get(0);
        allocator.onRegistered(first);

        allocator.executorLost(first, ExecutorLossReason.PREEMPTED, "");
        assertThat(backend.launches).hasSize(2); // no backoff: preemption is not a failure

        var second = backend.acceptAll().get(0);
        allocator.onRegistered(second);
        allocator.executorLost(second, ExecutorLossReason.EXITED, "exit code 1");
        assertThat(backend.launches).hasSize(2); // backing off for 1 s

        clock.advance(999);
        allocator.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(2);
        clock.advance(1);
        allocator.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(3);
    }

    @Test
    void duplicateLossReportsAndOwnReleasesDoNotCount() {
        allocator.requestTotalExecutors(1);
        var id = backend.acceptAll().get(0);
        allocator.onRegistered(id);
        allocator.executorLost(id, ExecutorLossReason.EXITED, "");
        allocator.executorLost(id, ExecutorLossReason.EXITED, "");
        clock.advance(1000);
        allocator.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(2);

        allocator.requestTotalExecutors(0);
        var replacement = backend.acceptAll();
        assertThat(backend.released).containsAll(replacement);
        assertThat(fatal).isEmpty();
    }

    @Test
    void executorThatNeverRegistersIsReleasedAndCounted() {
        allocator.requestTotalExecutors(1);
        var id = backend.acceptAll().get(0);
        allocator.executorLaunched(id, "node-a"); // the registration timeout runs from here
        clock.advance(30_000);
        allocator.runOnce(clock.currentTimeMillis());
        assertThat(backend.released).containsExactly(id);
        assertThat(allocator.registering()).isZero();
        clock.advance(1_000);
        allocator.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(2);
    }

    @Test
    void lateRegistrationOfATimedOutExecutorDoesNotCountItAsRunning() {
        allocator.requestTotalExecutors(1);
        var id = backend.acceptAll().get(0);
        allocator.executorLaunched(id, "node-a");
        clock.advance(30_000);
        allocator.runOnce(clock.currentTimeMillis());
        allocator.onRegistered(id); // it connected just as it was being released
        assertThat(allocator.running()).isEmpty();
        allocator.executorLost(id, ExecutorLossReason.RELEASED_BY_DRIVER, "");
        assertThat(allocator.running()).isEmpty();

        allocator.onRegistered(new ExecutorId("never-launched"));
        assertThat(allocator.running()).isEmpty();
    }

    @Test
    void failuresBeyondTheBudgetStopTheAllocatorWithADiagnosis() {
        allocator.requestTotalExecutors(1);
        for (int i = 0; i < 4; i++) {
            backend.launches.get(backend.launches.size() - 1).completeExceptionally(new IllegalStateException("no quota"));
            clock.advance(10_000);
            allocator.runOnce(clock.currentTimeMillis());
        }
        assertThat(allocator.isFailed()).isTrue();
        assertThat(fatal).hasSize(1);
        assertThat(fatal.get(0)).contains("failed 4 times").contains("could not be launched").contains("no quota");
        int launches = backend.launches.size();
        allocator.runOnce(clock.currentTimeMillis() + 60_000);
        assertThat(backend.launches).hasSize(launches);
    }

    @Test
    void executorsOfAPreviousAttemptAreReleased() {
        var old = List.of(new ExecutorId("app-exec-1-0"), new ExecutorId("app-exec-1-1"));
        allocator.executorsRecovered(old);
        assertThat(backend.released).containsExactlyElementsOf(old);
        allocator.executorLost(old.get(0), ExecutorLossReason.RELEASED_BY_DRIVER, "");
        assertThat(fatal).isEmpty();
    }

    private ExecutorAllocator paced(int maxPending, Duration launchTimeout) {
        return new ExecutorAllocator(backend, new ExecutorSpec(1, 512, Map.of()), clock, Runnable::run,
                Duration.ofSeconds(30), new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
                new FailureWindow(3, Duration.ofMinutes(5)), id -> true, fatal::add, List::of,
                new ExecutorAllocator.Pacing(maxPending, launchTimeout));
    }

    @Test
    void atMostMaxPendingLaunchesAreInFlightAndMoreFollowAsTheyStart() {
        var paced = paced(2, Duration.ofMinutes(5));
        paced.requestTotalExecutors(5);
        assertThat(backend.launches).hasSize(2);
        var ids = backend.acceptAll();
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).as("accepted but not started: still in flight").hasSize(2);
        assertThat(paced.unseen()).isEqualTo(2);

        paced.executorLaunched(ids.get(0), "node-a");
        assertThat(backend.launches).hasSize(3);
        paced.onRegistered(ids.get(1)); // registering also shows it started
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(4);
        backend.launches.get(3).completeExceptionally(new IllegalStateException("no quota")); // a failed launch frees its slot
        clock.advance(1_000); // after the failure's backoff
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(5);
        assertThat(paced.target()).isEqualTo(5);
    }

    @Test
    void aLaunchThatNeverStartsIsGivenUpAndReplacedWithoutCountingAsAFailure() {
        var paced = paced(0, Duration.ofSeconds(90));
        paced.requestTotalExecutors(1);
        for (int round = 1; round <= 5; round++) { // more rounds than the failure budget (3) allows
            var id = backend.acceptAll().get(0);
            clock.advance(89_999);
            paced.runOnce(clock.currentTimeMillis());
            assertThat(backend.released).as("round " + round).hasSize(round - 1);
            clock.advance(1);
            paced.runOnce(clock.currentTimeMillis());
            assertThat(backend.released).last().isEqualTo(id);
            assertThat(backend.launches).as("replaced at once, no backoff").hasSize(round + 1);
            paced.executorLost(id, ExecutorLossReason.LAUNCH_FAILED, "withdrawn"); // the backend confirms the release
        }
        assertThat(paced.launchesGivenUp()).isEqualTo(5);
        assertThat(paced.isFailed()).isFalse();
        assertThat(fatal).isEmpty();
    }

    @Test
    void theRegistrationTimeoutRunsFromTheStartNotFromTheRequest() {
        var paced = paced(0, Duration.ofMinutes(5));
        paced.requestTotalExecutors(1);
        var id = backend.acceptAll().get(0);
        clock.advance(120_000); // two minutes waiting for a container: longer than the registration timeout
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.released).isEmpty();
        paced.executorLaunched(id, "node-a");
        clock.advance(29_999);
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.released).isEmpty();
        clock.advance(1);
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.released).containsExactly(id);
        assertThat(paced.launchesGivenUp()).isZero();
    }

    @Test
    void aStartReportedBeforeTheLaunchIsAnsweredCountsAsStarted() {
        var paced = paced(1, Duration.ofSeconds(10));
        paced.requestTotalExecutors(2);
        assertThat(backend.launches).hasSize(1);
        paced.executorLaunched(new ExecutorId("exec-0"), "node-a"); // the backend's event overtook its answer
        var id = backend.acceptAll().get(0);
        assertThat(id.value()).isEqualTo("exec-0");
        assertThat(paced.unseen()).isZero();
        assertThat(backend.launches).as("the next launch may go").hasSize(2);
        clock.advance(10_000);
        paced.runOnce(clock.currentTimeMillis());
        assertThat(backend.released).as("started, so not subject to the launch timeout").isEmpty();
    }
}
