package io.sluice.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.Time;
import io.sluice.cluster.ExecutorAllocator;
import io.sluice.cluster.ExecutorId;
import io.sluice.cluster.ExecutorSpec;
import io.sluice.cluster.TestingClusterBackend;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.util.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller driving the real {@link ExecutorAllocator} over {@link TestingClusterBackend}: launches and
 * releases follow its targets, and the allocator's {@code releasable} predicate keeps a receiver's executor.
 */
class ExecutorAllocationControllerIntegrationTest {
    private static final Duration BATCH = Duration.ofSeconds(1);
    private static final long SCALING_MS = 10_000;

    private final ManualClock clock = new ManualClock(0);
    private final TestingClusterBackend backend = new TestingClusterBackend();
    private final List<String> fatal = new ArrayList<>();
    private Set<ExecutorId> receiverHosts = Set.of();
    private ExecutorAllocator allocator;
    private ExecutorAllocationController controller;
    private long lastBatchMs;

    @BeforeEach
    void setUp() {
        allocator = new ExecutorAllocator(backend, new ExecutorSpec(1, 512, Map.of()), clock, Runnable::run,
                Duration.ofSeconds(30), new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(8), 2.0),
                new FailureWindow(3, Duration.ofMinutes(5)), id -> !receiverHosts.contains(id), fatal::add);
        controller = new ExecutorAllocationController(ExecutorAllocationControllerTest.config(2, 10, 2, 1), BATCH,
                1, 0, allocator);
    }

    /** The cluster manager starts every pending launch and each executor connects to the driver. */
    private List<ExecutorId> launchAndRegister() {
        var ids = backend.acceptAll();
        ids.forEach(allocator::onRegistered);
        return ids;
    }

    /**
     * One scaling interval, ticking every batch interval as the driver does: in each of the first {@code n} ticks a
     * batch of {@code workCoreMs} starts on the executors registered then.
     */
    private void interval(int n, long workCoreMs) {
        for (int i = 0; i < SCALING_MS / BATCH.toMillis(); i++) {
            if (i < n) {
                lastBatchMs += BATCH.toMillis();
                long start = clock.currentTimeMillis();
                long processing = workCoreMs / allocator.runningExecutors();
                controller.onBatchCompleted(new BatchCompleted(new BatchInfo(Time.ofMillis(lastBatchMs), Map.of(),
                        start, start, start + processing, Map.of())));
            }
            clock.advance(BATCH.toMillis());
            controller.runOnce(clock.currentTimeMillis());
            allocator.runOnce(clock.currentTimeMillis());
        }
    }

    @Test
    void launchesAndReleasesFollowTheControllerAndReceiverHostsStay() {
        controller.start(clock.currentTimeMillis());
        assertThat(backend.launches).hasSize(2);
        var initial = launchAndRegister();
        assertThat(allocator.running()).containsExactlyElementsOf(initial);
        interval(0, 0); // no batch yet: the target stays
        assertThat(backend.launches).hasSize(2);

        // a load step: 6000 core-ms a batch takes 3000 ms on the 2 executors; ceil(6000 / 900) = 7 are launched at once,
        // on the tick after the first slow batch, which starts the controller's next interval
        interval(3, 6000);
        assertThat(allocator.target()).isEqualTo(7);
        assertThat(backend.launches).hasSize(7);
        var added = launchAndRegister();
        assertThat(added).hasSize(5);
        assertThat(allocator.runningExecutors()).isEqualTo(7);

        // met: 857 ms on 7, nothing more is launched or released
        interval(10, 6000);
        assertThat(backend.launches).hasSize(7);
        assertThat(backend.released).isEmpty();

        // the load ends; the newest executor hosts a receiver, so each step releases the newest of the others. The
        // controller's intervals start one tick into ours (at the scale-up), so the first decision after the load
        // still sees one slow batch and holds
        ExecutorId receiverHost = added.get(added.size() - 1);
        receiverHosts = Set.of(receiverHost);
        var releasedPerInterval = new ArrayList<Integer>();
        for (int i = 0; i < 7; i++) {
            int before = backend.released.size();
            interval(10, 600);
            releasedPerInterval.add(backend.released.size() - before);
        }
        assertThat(releasedPerInterval).containsExactly(0, 1, 1, 1, 1, 1, 0);
        assertThat(allocator.target()).isEqualTo(2);
        assertThat(backend.released).containsExactly(added.get(3), added.get(2), added.get(1), added.get(0),
                initial.get(1));
        assertThat(allocator.running()).containsExactly(initial.get(0), receiverHost);
        assertThat(backend.launches).hasSize(7);
        assertThat(fatal).isEmpty();
    }
}
