package io.sluice.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import java.nio.file.Path;
import java.time.Duration;
import io.sluice.api.Time;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic allocation on {@code local-cluster} with the system clock, the acceptance test: a load step (every
 * batch's tasks sleep, so one single-core executor cannot keep up with the batch interval) makes the number of
 * registered executors rise to the computed need within one scaling interval of the controller seeing the first slow
 * batch, and stay there; a heavier step that needs more than the maximum stops at the maximum; when the load ends the
 * count falls back to the minimum; it stays within {@code [min, max]} throughout. Disabled, the count stays at the
 * master URL's; a bad setting fails the context with its message.
 *
 * <p>The scaling interval (10 s, the default) is a realistic one: it has to cover an executor JVM's start and
 * registration (about 1.5 s on this machine when quiet, several seconds when it is busy).
 */
class DynamicAllocationClusterTest {
    private static final Logger LOG = LogManager.getLogger(DynamicAllocationClusterTest.class);
    private static final Duration BATCH = Duration.ofSeconds(1);
    private static final Duration SCALING = Duration.ofSeconds(10);
    private static final int PARTITIONS = 12;
    /** Per-task sleep of the batches generated now; read on the driver when a batch is generated. */
    private static volatile long taskSleepMs;

    @TempDir
    Path workDir;

    private StreamingContext ssc;
    /** The task sleep each batch was generated with, by batch time. */
    private final Map<Time, Long> loadOfBatch = new ConcurrentHashMap<>();
    /** When (System.nanoTime) the first batch of each task sleep completed, as the listener bus delivered it. */
    private final Map<Long, Long> firstCompletedNanos = new ConcurrentHashMap<>();

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
        return startLoadStream(conf, false);
    }

    /** Like {@link #startLoadStream(SluiceConf)}; with {@code shuffle}, every batch also counts its records by key. */
    private AtomicInteger startLoadStream(SluiceConf conf, boolean shuffle) {
        ssc = new StreamingContext(conf, BATCH);
        var completed = new AtomicInteger();
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(BatchCompleted event) {
                Long load = loadOfBatch.get(event.batchInfo().batchTime());
                if (load != null) {
                    firstCompletedNanos.putIfAbsent(load, System.nanoTime());
                }
                completed.incrementAndGet();
            }
        });
        var input = new ArrayList<Integer>();
        for (int i = 0; i < PARTITIONS; i++) {
            input.add(i);
        }
        ssc.constantStream(ssc.parallelize(input, PARTITIONS))
                .transform((ds, time) -> {
                    long sleepMs = taskSleepMs; // on the driver, per batch
                    loadOfBatch.put(time, sleepMs);
                    var worked = ds.map(x -> {
                        Thread.sleep(sleepMs); // models the per-record work of a heavy batch
                        return x;
                    });
                    // a shuffle every batch leaves map outputs on every executor that ran a task
                    return shuffle ? worked.mapToPair(x -> Pair.of(x % 3, 1)).reduceByKey(Integer::sum).map(Pair::value)
                            : worked;
                })
                .foreachRDD(ds -> ds.count());
        ssc.start();
        return completed;
    }

    /** Waits until the first batch generated with {@code sleepMs} per task completed; its System.nanoTime. */
    private long firstCompleted(long sleepMs, int[] seen) throws InterruptedException {
        assertThat(await(() -> firstCompletedNanos.containsKey(sleepMs), Duration.ofSeconds(60), seen))
                .as("a batch with %d ms tasks completed", sleepMs).isTrue();
        return firstCompletedNanos.get(sleepMs);
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
    void aLoadStepBringsTheNeededExecutorsWithinOneScalingIntervalAndTheyGoWhenItEnds() throws Exception {
        taskSleepMs = 0;
        var completed = startLoadStream(conf("local-cluster[1,1,256]", true));
        var controller = ssc.executorAllocationController();
        assertThat(controller).isNotNull();
        int[] seen = {Integer.MAX_VALUE, 0};
        // light batches first: the controller holds at the minimum
        assertThat(await(() -> completed.get() >= 3, Duration.ofSeconds(60), seen)).isTrue();
        assertThat(controller.target()).isEqualTo(1);
        assertThat(registeredExecutors()).isEqualTo(1);

        // step 1: 12 tasks x 100 ms = 1200 core-ms a 1000 ms batch; under 0.9 x 1000 ms that needs ceil(1.33) = 2
        taskSleepMs = 100;
        long slowSeen = firstCompleted(100, seen);
        long deadline = slowSeen + SCALING.toNanos();
        assertThat(await(() -> registeredExecutors() >= 2, Duration.ofNanos(deadline - System.nanoTime()), seen))
                .as("executors %d ms after the first slow batch (target %d)",
                        (System.nanoTime() - slowSeen) / 1_000_000, controller.target()).isTrue();
        LOG.info("2 executors running {} ms after the first slow batch completed", (System.nanoTime() - slowSeen) / 1_000_000);
        assertThat(controller.target()).isEqualTo(2);
        // no overshoot and no oscillation: two whole intervals on 2 executors (~600 ms a batch, between the thresholds)
        int[] settled = {Integer.MAX_VALUE, 0};
        long settleUntil = System.nanoTime() + SCALING.multipliedBy(2).toNanos();
        await(() -> System.nanoTime() > settleUntil, SCALING.multipliedBy(3), settled);
        assertThat(settled).as("fewest and most executors while settling").containsExactly(2, 2);
        assertThat(controller.target()).isEqualTo(2);

        // step 2: 12 x 300 ms = 3600 core-ms needs ceil(4.0) = 4, above the maximum of 3: 3 within one interval
        taskSleepMs = 300;
        long heavierSeen = firstCompleted(300, seen);
        long deadline2 = heavierSeen + SCALING.toNanos();
        assertThat(await(() -> registeredExecutors() >= 3, Duration.ofNanos(deadline2 - System.nanoTime()), seen))
                .as("executors %d ms after the first heavier batch (target %d)",
                        (System.nanoTime() - heavierSeen) / 1_000_000, controller.target()).isTrue();
        LOG.info("3 executors running {} ms after the first heavier batch completed", (System.nanoTime() - heavierSeen) / 1_000_000);
        long capUntil = System.nanoTime() + SCALING.toNanos();
        await(() -> System.nanoTime() > capUntil, SCALING.multipliedBy(2), seen);
        assertThat(controller.target()).isEqualTo(3);

        // the load ends: once the backlog is worked off, the count steps down to the minimum, one a scaling interval
        taskSleepMs = 0;
        assertThat(await(() -> controller.target() == 1 && registeredExecutors() == 1,
                SCALING.multipliedBy(8), seen)).as("target %d, %d executors", controller.target(),
                registeredExecutors()).isTrue();
        assertThat(seen[0]).as("fewest executors seen").isEqualTo(1);
        assertThat(seen[1]).as("most executors seen").isEqualTo(3);
        // batches kept completing through scale-up and scale-down
        int before = completed.get();
        assertThat(await(() -> completed.get() >= before + 2, Duration.ofSeconds(30), seen)).isTrue();
    }

    @Test
    void aStreamThatShufflesEveryBatchGivesItsExecutorsBackWhenTheLoadEnds() throws Exception {
        // map outputs of finished batches must not pin executors: only those a running job reads do
        taskSleepMs = 300;
        var completed = startLoadStream(conf("local-cluster[1,1,256]", true), true);
        var controller = ssc.executorAllocationController();
        int[] seen = {Integer.MAX_VALUE, 0};
        firstCompleted(300, seen);
        assertThat(await(() -> registeredExecutors() == 3, SCALING.multipliedBy(3), seen))
                .as("executors under load (target %d)", controller.target()).isTrue();

        taskSleepMs = 0;
        assertThat(await(() -> controller.target() == 1 && registeredExecutors() == 1,
                SCALING.multipliedBy(8), seen)).as("target %d, %d executors", controller.target(),
                registeredExecutors()).isTrue();
        int before = completed.get();
        assertThat(await(() -> completed.get() >= before + 2, Duration.ofSeconds(30), seen))
                .as("batches complete on the one executor left").isTrue();
        assertThat(seen[1]).as("most executors seen").isEqualTo(3);
    }

    @Test
    void disabledTheCountStaysAtTheMasterUrls() throws Exception {
        taskSleepMs = 100;
        var completed = startLoadStream(conf("local-cluster[1,1,256]", false).set(SluiceConf.DYN_ALLOC_MAX.name(), "3"));
        assertThat(ssc.executorAllocationController()).isNull();
        assertThat(ssc.context().executorAllocation()).isEmpty();
        int[] seen = {Integer.MAX_VALUE, 0};
        // batches are behind from the first: an enabled controller would scale up after the first one completed
        assertThat(await(() -> completed.get() >= 5, Duration.ofSeconds(60), seen)).isTrue();
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
