package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.batch.Dataset;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The streams a context creates itself (queue, constant, union, multi-stream transform) and DStream caching. */
class ContextStreamsTest {

    @Test
    void queueStreamTakesOneDatasetPerBatchThenEmptyBatches() {
        var out = StreamingTestKit.create().runWith(ssc -> {
            Queue<Dataset<Integer>> queue = new ArrayDeque<>();
            queue.add(ssc.parallelize(List.of(1, 2), 2));
            queue.add(ssc.parallelize(List.of(3), 1));
            return ssc.queueStream(queue);
        }, 3);
        assertThat(out.outputs()).containsExactly(List.of(1, 2), List.of(3), List.of());
    }

    @Test
    void queueStreamCanTakeEverythingQueuedAtOnce() {
        var out = StreamingTestKit.create().runWith(ssc -> {
            Queue<Dataset<Integer>> queue = new ArrayDeque<>();
            queue.add(ssc.parallelize(List.of(1, 2), 2));
            queue.add(ssc.parallelize(List.of(3), 1));
            return ssc.queueStream(queue, false).count();
        }, 2);
        assertThat(out.outputs()).containsExactly(List.of(3L), List.of(0L));
    }

    @Test
    void queueStreamUsesTheDefaultDatasetWhenTheQueueIsEmpty() {
        var out = StreamingTestKit.create().runWith(ssc -> {
            Queue<Dataset<String>> queue = new ArrayDeque<>();
            queue.add(ssc.parallelize(List.of("first"), 1));
            return ssc.queueStream(queue, true, ssc.parallelize(List.of("default"), 1));
        }, 3);
        assertThat(out.outputs()).containsExactly(List.of("first"), List.of("default"), List.of("default"));
    }

    @Test
    void constantStreamRepeatsTheSameDatasetEveryBatch() {
        var out = StreamingTestKit.create().runWith(ssc -> ssc.constantStream(ssc.parallelize(List.of("a", "b", "a"), 2))
                .countByValue(), 2);
        assertThat(out.outputs()).hasSize(2).allSatisfy(batch ->
                assertThat(batch).containsExactlyInAnyOrder(Pair.of("a", 2L), Pair.of("b", 1L)));
    }

    @Test
    void contextTransformCombinesTheSameBatchOfSeveralStreams() {
        var out = StreamingTestKit.create().runWith(ssc -> {
            var numbers = new TestInputDStream<>(ssc, List.of(List.of(1, 2), List.of(3)), 2);
            var words = new TestInputDStream<>(ssc, List.of(List.of("x"), List.<String>of()), 1);
            return ssc.<String>transform(List.of(numbers, words), (datasets, time) -> {
                @SuppressWarnings("unchecked") Dataset<Integer> n = (Dataset<Integer>) datasets.get(0);
                @SuppressWarnings("unchecked") Dataset<String> w = (Dataset<String>) datasets.get(1);
                long t = time.milliseconds();
                return n.map(i -> t + ":" + i).union(w);
            });
        }, 2);
        assertThat(out.outputs()).containsExactly(List.of("1000:1", "1000:2", "x"), List.of("2000:3"));
    }

    @Test
    void aCachedStreamIsComputedOncePerBatchForSeveralOutputs() {
        var computed = new AtomicInteger();
        var uncached = new AtomicInteger();
        var results = new java.util.concurrent.CopyOnWriteArrayList<Long>();
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            var input = new TestInputDStream<>(ssc, List.of(List.of(1, 2, 3), List.of(4, 5)), 2);
            var cached = input.map(x -> {
                computed.incrementAndGet();
                return x;
            }).cache();
            var plain = input.map(x -> {
                uncached.incrementAndGet();
                return x;
            });
            cached.foreachRDD(ds -> results.add(ds.count()));
            cached.foreachRDD(ds -> results.add((long) ds.reduce(Integer::sum)));
            plain.foreachRDD(ds -> ds.count());
            plain.foreachRDD(ds -> ds.count());
            harness.runBatches(2);
        }
        assertThat(results).containsExactly(3L, 6L, 2L, 9L);
        assertThat(computed).hasValue(5);
        assertThat(uncached).hasValue(10);
    }
}
