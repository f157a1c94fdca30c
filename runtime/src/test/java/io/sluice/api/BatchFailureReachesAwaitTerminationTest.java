package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.batch.Dataset;
import io.sluice.conf.SluiceConf;
import io.sluice.scheduler.OutputOperationFailedException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On {@code local[2]} with the system clock, as an application runs: an output operation whose job fails makes
 * {@code awaitTermination()} throw that error, while the stream keeps going (the other operations of that batch and
 * the later batches still run) until the application stops it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BatchFailureReachesAwaitTerminationTest {

    @Test
    void aFailedOutputOperationIsThrownByAwaitTerminationAndLaterBatchesStillRun() throws Exception {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("failing-output")
                .set(SluiceConf.UI_ENABLED, false);
        var seen = new CopyOnWriteArrayList<String>();
        try (var ssc = new StreamingContext(conf, Duration.ofMillis(200))) {
            Queue<Dataset<String>> queue = new ConcurrentLinkedQueue<>();
            for (String word : List.of("ok-1", "bad", "ok-2", "ok-3")) {
                queue.add(ssc.parallelize(List.of(word), 1));
            }
            DStream<String> words = ssc.queueStream(queue, true);
            words.foreachRDD(ds -> ds.foreach(w -> {
                if (w.equals("bad")) {
                    throw new IllegalArgumentException("cannot write " + w);
                }
            }));
            words.foreachRDD(ds -> seen.addAll(ds.collect()));
            ssc.start();

            assertThatThrownBy(ssc::awaitTermination)
                    .isInstanceOf(OutputOperationFailedException.class)
                    .hasMessageContaining("Output operation 0 (foreachRDD) of batch")
                    .rootCause().isInstanceOf(IllegalArgumentException.class).hasMessage("cannot write bad");
            assertThat(ssc.getState()).as("the stream keeps going until the application stops it")
                    .isEqualTo(StreamingContext.State.ACTIVE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!seen.contains("ok-3") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(seen).as("the failed batch's other operation and the later batches ran")
                    .containsExactly("ok-1", "bad", "ok-2", "ok-3");
            ssc.stop();
            assertThat(ssc.awaitTerminationOrTimeout(0)).as("stopped, with no further error").isTrue();
        }
    }

    @Test
    void anOutputOperationThatFailsBecauseTheContextStopsDoesNotHoldTheStopUp() throws Exception {
        // the failure is reported while stop() waits for the batch: reporting must not wait for stop()
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("failing-on-stop")
                .set(SluiceConf.UI_ENABLED, false).set(SluiceConf.STOP_TIMEOUT, Duration.ofMinutes(10));
        var running = new java.util.concurrent.CountDownLatch(1);
        var ssc = new StreamingContext(conf, Duration.ofMillis(200));
        ssc.constantStream(ssc.parallelize(List.of("x"), 1)).foreachRDD(ds -> {
            running.countDown();
            Thread.sleep(600_000); // interrupted by the stop: the operation fails
        });
        ssc.start();
        assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
        var stopped = java.util.concurrent.CompletableFuture.runAsync(() -> ssc.stop(true, false));
        // a deadlock would last the whole stop timeout (10 min); two minutes tell one from a slow machine
        stopped.get(2, TimeUnit.MINUTES);
        assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void withoutAFailureAwaitTerminationOnlyReturnsOnceTheContextStopped() throws Exception {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("healthy-output")
                .set(SluiceConf.UI_ENABLED, false);
        try (var ssc = new StreamingContext(conf, Duration.ofMillis(100))) {
            Queue<Dataset<Integer>> queue = new ConcurrentLinkedQueue<>();
            queue.add(ssc.parallelize(List.of(1, 2, 3), 1));
            var sums = new CopyOnWriteArrayList<Integer>();
            ssc.queueStream(queue, true).foreachRDD(ds -> sums.add(ds.collect().stream().mapToInt(Integer::intValue).sum()));
            ssc.start();
            assertThat(ssc.awaitTerminationOrTimeout(500)).isFalse();
            ssc.stop();
            assertThat(ssc.awaitTerminationOrTimeout(10_000)).isTrue();
            assertThat(sums).contains(6);
        }
    }
}
