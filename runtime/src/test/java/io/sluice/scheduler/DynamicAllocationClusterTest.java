package io.sluice.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic allocation on {@code local-cluster} with the system clock: a load step (every batch's four tasks sleep, so
 * one single-core executor cannot keep up with the batch interval) makes the controller ask for more executors within
 * two scaling intervals and the registered executors follow; when the load ends they fall back to the minimum; the
 * count stays within {@code [min, max]} throughout. Disabled, the count stays at the master URL's; a bad setting
 * fails the context with its message.
 */
class DynamicAllocationClusterTest {
    private static final Duration BATCH = Duration.ofMillis(500);
    private static final Duration SCALING = Duration.ofSeconds(2);
    private static final int PARTITIONS = 4;
    /** Per-task sleep of the batches generated now; read on the driver when a batch is generated. */
    private static volatile long taskSleepMs;

    @TempDir
    Path workDir;

    private StreamingContext ssc;

    @AfterEach
    void stop() {
        if (ssc != null) {
            ssc.stop(true, false);
        }
    }

    private SluiceConf conf(String master, boolean dynamic) {
        var conf = new SluiceConf(false).setMaster(master).setAppName("dynamic-allocation-test")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR.name(), workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS.name(), "1")
                .set(SluiceConf.RPC_DISPATCHER_THREADS.name(), "2")
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT.name(), "120s");
        if (dynamic) {
            conf.set(SluiceConf.DYN_ALLOC_ENABLED.name(), "true")
                    .set(SluiceConf.DYN_ALLOC_MIN.name(), "1")
                    .set(SluiceConf.DYN_ALLOC_MAX.name(), "3")
                    .set(SluiceConf.DYN_ALLOC_INTERVAL.name(), SCALING.toMillis() + "ms");
        }
        return conf;
    }

    /** A stream whose batches run {@value #PARTITIONS} tasks, each sleeping {@link #taskSleepMs} (the load). */
    private AtomicInteger startLoadStream(SluiceConf conf) {
        ssc = new StreamingContext(conf, BATCH);
        var completed = new AtomicInteger();
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchCompleted event) {
                completed.incrementAndGet();
            }
        });
        ssc.constantStream(ssc.parallelize(List.of(1, 2, 3, 4), PARTITIONS))
                .transform(ds -> {
                    long sleepMs = taskSleepMs; // on the driver, per batch
                    return ds.map(x -> {
                        Thread.sleep(sleepMs); // models the per-record work of a heavy batch
                        return x;
                    });
                })
                .foreachRDD(ds -> ds.count());
        ssc.start();
        return completed;
    }

    private int registeredExecutors() {
        return ssc.context().slots(); // one core each
    }

    /** Waits for {@code condition}, sampling the executor count into {@code seen} meanwhile; false on timeout. */
    private boolean await(BooleanSupplier condition, Duration timeout, int[] seen) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            int n = registeredExecutors();
            seen[0] = Math.min(seen[0], n);
            seen[1] = Math.max(seen[1], n);
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50); // polling interval of the condition, not a wait for a result
        }
        return condition.getAsBoolean();
    }

    @Test
    void aLoadStepAddsExecutorsWithinTwoScalingIntervalsAndTheyGoWhenItEnds() throws Exception {
        taskSleepMs = 0;
        var completed = startLoadStream(conf("local-cluster[1,1,256]", true));
        var controller = ssc.executorAllocationController();
        assertThat(controller).isNotNull();
        int[] seen = {Integer.MAX_VALUE, 0};
        // light batches first: the controller holds at the minimum
        assertThat(await(() -> completed.get() >= 4, Duration.ofSeconds(60), seen)).isTrue();
        assertThat(controller.target()).isEqualTo(1);

        // 4 tasks x 200 ms on one core: ~800 ms per 500 ms batch, behind; two executors keep up
        taskSleepMs = 200;
        long loadStart = System.nanoTime();
        assertThat(await(() -> controller.target() >= 2, SCALING.multipliedBy(2).plus(BATCH), seen))
                .as("target after %d ms of load", (System.nanoTime() - loadStart) / 1_000_000).isTrue();
        // the new executors are JVMs that take a while to start on a busy machine
        assertThat(await(() -> registeredExecutors() >= 2, Duration.ofSeconds(60), seen)).isTrue();
        assertThat(controller.target()).isBetween(2, 3);
        // let the count settle under load for a few intervals: it stays within [2, max]
        long settleUntil = System.nanoTime() + SCALING.multipliedBy(3).toNanos();
        await(() -> System.nanoTime() > settleUntil, SCALING.multipliedBy(4), seen);
        assertThat(controller.target()).isBetween(2, 3);

        // the load ends: light batches take well under half the interval, the count steps down to the minimum
        taskSleepMs = 0;
        assertThat(await(() -> controller.target() == 1 && registeredExecutors() == 1,
                SCALING.multipliedBy(12), seen)).as("target %d, %d executors", controller.target(),
                registeredExecutors()).isTrue();
        assertThat(seen[0]).as("fewest executors seen").isGreaterThanOrEqualTo(1);
        assertThat(seen[1]).as("most executors seen").isBetween(2, 3);
        // batches kept completing through scale-up and scale-down
        int before = completed.get();
        assertThat(await(() -> completed.get() >= before + 2, Duration.ofSeconds(30), seen)).isTrue();
    }

    @Test
    void disabledTheCountStaysAtTheMasterUrls() throws Exception {
        taskSleepMs = 200;
        var completed = startLoadStream(conf("local-cluster[1,1,256]", false).set(SluiceConf.DYN_ALLOC_MAX.name(), "3"));
        assertThat(ssc.executorAllocationController()).isNull();
        assertThat(ssc.context().executorAllocation()).isEmpty();
        int[] seen = {Integer.MAX_VALUE, 0};
        // long enough for an enabled controller (interval 10 s default, but batches fall behind from the first) to act
        assertThat(await(() -> completed.get() >= 8, Duration.ofSeconds(60), seen)).isTrue();
        assertThat(seen[0]).isEqualTo(1);
        assertThat(seen[1]).isEqualTo(1);
    }

    @Test
    void anInvalidCombinationFailsTheContextWithItsMessage() {
        var bad = conf("local-cluster[1,1,256]", true).set(SluiceConf.DYN_ALLOC_MIN.name(), "3")
                .set(SluiceConf.DYN_ALLOC_MAX.name(), "2");
        assertThatThrownBy(() -> new StreamingContext(bad, BATCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minExecutors <= initialExecutors <= maxExecutors")
                .hasMessageContaining(SluiceConf.DYN_ALLOC_MIN.name() + "=3");

        var conflicting = conf("local-cluster[1,1,256]", true).set(SluiceConf.DYN_ALLOC_INITIAL.name(), "2");
        assertThatThrownBy(() -> new StreamingContext(conflicting, BATCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SluiceConf.DYN_ALLOC_INITIAL.name() + "=2")
                .hasMessageContaining("starts 1 executors");

        var ratios = conf("local-cluster[1,1,256]", true).set(SluiceConf.DYN_ALLOC_UP_RATIO.name(), "0.4")
                .set(SluiceConf.DYN_ALLOC_DOWN_RATIO.name(), "0.5");
        assertThatThrownBy(() -> new StreamingContext(ratios, BATCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SluiceConf.DYN_ALLOC_DOWN_RATIO.name());
    }
}
