package io.sluice.receiver;

import io.sluice.testkit.AckingNumberReceiver;
import io.sluice.testkit.ReplayingNumberServer;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.api.DStream;
import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StreamingContext;
import io.sluice.batch.BlockDataset;
import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorRegistry.ExecutorInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.listener.StreamingListenerEvent.ReceiverStarted;
import io.sluice.scheduler.ClusterReceivers;
import io.sluice.scheduler.ExecutorCluster;
import io.sluice.storage.StorageLevel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receivers on executors, on {@code local-cluster[2,1,512]}: two executor JVMs with one core each. The receiver takes
 * the core of one executor, so tasks run on the other; both executors hold a copy of every block
 * ({@code MEMORY_AND_DISK_SER_2}). Two executors (not three) are enough: after the receiver's executor is killed, the
 * receiver restarts on the survivor (taking its only core) and batches resume once the replacement executor
 * registered, which also exercises reading blocks from another executor. The tests share the cluster, one
 * streaming context each, the kill last; besides the two below, a {@code socketTextStream} word count and a graceful
 * stop run their receivers on executors.
 *
 * <p>The source is a {@link ReplayingNumberServer} in this JVM and the receiver an {@link AckingNumberReceiver} that
 * acknowledges a chunk only once {@code store(List)} returned (the block is stored, replicated and reported to the
 * driver); the server resends what was not acknowledged. The guarantee checked: every number is processed exactly
 * once by the transformations, comparing the numbers the output saw and a per-batch count by key summed over the run
 * with what was sent. The kill happens at a chunk boundary (the server holds back the next chunk while the test
 * kills), so no chunk is stored but unacknowledged at that moment: such a chunk would be received twice — this
 * receiver gives at-least-once at the source, exactly-once in the transformations only for acknowledged data.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReceiverOnExecutorsTest {
    private static final Duration BATCH = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    static Path workDir;

    private static SluiceContext cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new SluiceContext(new SluiceConf(false).setMaster("local-cluster[2,1,512]")
                .setAppName("receivers-on-executors")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.RECEIVER_RESTART_DELAY, Duration.ofMillis(200))
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(90)));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** What the output operations saw over the run. */
    private static final class Outputs implements StreamingListener {
        final List<Long> numbers = Collections.synchronizedList(new ArrayList<>());
        final Map<Long, Long> countsByLastDigit = new ConcurrentHashMap<>();
        final List<List<String>> blockLocations = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger batches = new AtomicInteger();
        final List<String> receiverStartedOn = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onReceiverStarted(ReceiverStarted event) {
            receiverStartedOn.add(event.receiverInfo().executorId());
        }

        @Override
        public void onBatchCompleted(BatchCompleted event) {
            synchronized (this) {
                batches.incrementAndGet();
                notifyAll();
            }
        }

        void awaitBatches(int count) throws InterruptedException {
            awaitCondition(() -> batches.get() >= count, "batch " + count + " completes");
        }
    }

    private static StreamingContext stream(ReplayingNumberServer server, Outputs outputs) {
        return stream(new AckingNumberReceiver(server.host(), server.port(), StorageLevel.MEMORY_AND_DISK_SER_2), outputs);
    }

    private static StreamingContext stream(AckingNumberReceiver receiver, Outputs outputs) {
        var ssc = new StreamingContext(cluster, BATCH);
        DStream<Long> numbers = ssc.receiverStream(receiver);
        numbers.foreachRDD(ds -> {
            if (ds instanceof BlockDataset<Long> blocks) {
                for (int i = 0; i < blocks.numPartitions(); i++) {
                    outputs.blockLocations.add(blocks.locations(i));
                }
            }
            outputs.numbers.addAll(ds.collect());
        });
        PairDStream.of(numbers.map(n -> Pair.of(n % 10, 1L))).reduceByKey(Long::sum)
                .foreachRDD(ds -> ds.collect().forEach(p -> outputs.countsByLastDigit.merge(p.key(), p.value(), Long::sum)));
        ssc.addStreamingListener(outputs);
        return ssc;
    }

    private static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting until " + what);
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling interval of a condition with a deadline
        }
    }

    /** Waits until every number was output and two more batches ran (a duplicate would show up by then). */
    private static void awaitAllProcessed(Outputs outputs, long total) throws InterruptedException {
        awaitCondition(() -> outputs.numbers.size() >= total, "all " + total + " numbers were output");
        outputs.awaitBatches(outputs.batches.get() + 2);
    }

    private static void assertExactlyOnce(Outputs outputs, long total) {
        var seen = new ArrayList<>(outputs.numbers);
        Collections.sort(seen);
        assertThat(seen).containsExactlyElementsOf(LongStream.range(0, total).boxed().toList());
        var expectedCounts = new java.util.HashMap<Long, Long>();
        for (long d = 0; d < 10; d++) {
            expectedCounts.put(d, total / 10);
        }
        assertThat(outputs.countsByLastDigit).isEqualTo(expectedCounts);
    }

    private static Set<Long> executorPids() {
        var result = new java.util.HashSet<Long>();
        for (ExecutorInfo info : ((ExecutorCluster) cluster.taskScheduler()).executors().registeredExecutors()) {
            result.add(info.pid());
        }
        return result;
    }

    @Test
    @Order(1)
    void aReceiverOnAnExecutorFeedsBatchesWithReplicatedBlocks() throws Exception {
        long total = 600;
        var outputs = new Outputs();
        try (var server = new ReplayingNumberServer(total, 20, Duration.ofMillis(20))) {
            StreamingContext ssc = stream(server, outputs);
            try {
                ssc.start();
                assertThat(server.awaitAcked(total, WAIT)).as("the source delivered everything").isTrue();
                awaitAllProcessed(outputs, total);
                var launcher = (ClusterReceivers) ssc.receiverTracker().launcher();
                assertThat(launcher.placements(0)).isEqualTo(1);
                assertThat(launcher.hostOf(0)).isPresent();
                String host = launcher.hostOf(0).orElseThrow().value();
                awaitCondition(() -> outputs.receiverStartedOn.contains(host), "the executor's ReceiverStarted event arrived");
            } finally {
                ssc.stop(false, false);
            }
            assertThat(server.receiverPids()).hasSize(1);
            long pid = server.receiverPids().get(0);
            assertThat(pid).as("the receiver ran in an executor JVM").isNotEqualTo(ProcessHandle.current().pid());
            assertThat(executorPids()).contains(pid);
        }
        assertExactlyOnce(outputs, total);
        assertThat(outputs.blockLocations).isNotEmpty().allSatisfy(locations ->
                assertThat(Set.copyOf(locations)).as("two copies on different executors").hasSize(2));
        assertThat(cluster.slots()).as("the receiver's core is a task slot again").isEqualTo(2);
    }

    @Test
    @Order(2)
    void aSocketTextStreamWordCountOnExecutorsCountsEveryWordSent() throws Exception {
        int lines = 300;
        var sent = new java.util.HashMap<String, Long>();
        var text = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            String line = "w" + (i % 7) + " w" + (i % 3) + " common";
            for (String w : line.split(" ")) {
                sent.merge(w, 1L, Long::sum);
            }
            text.append(line).append('\n');
        }
        long words = sent.values().stream().mapToLong(Long::longValue).sum();
        var counted = new ConcurrentHashMap<String, Long>();
        var outputs = new Outputs();
        try (var server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var ssc = new StreamingContext(cluster, BATCH);
            PairDStream.of(ssc.socketTextStream(server.getInetAddress().getHostAddress(), server.getLocalPort())
                            .flatMap(l -> java.util.Arrays.asList(l.split(" ")).iterator())
                            .map(w -> Pair.of(w, 1L)))
                    .reduceByKey(Long::sum)
                    .foreachRDD(ds -> ds.collect().forEach(p -> counted.merge(p.key(), p.value(), Long::sum)));
            ssc.addStreamingListener(outputs);
            try {
                ssc.start();
                server.setSoTimeout((int) WAIT.toMillis());
                try (var socket = server.accept()) {
                    socket.getOutputStream().write(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    socket.getOutputStream().flush();
                    awaitCondition(() -> counted.values().stream().mapToLong(Long::longValue).sum() >= words,
                            "all " + words + " words were counted");
                    outputs.awaitBatches(outputs.batches.get() + 2);
                }
            } finally {
                ssc.stop(false, false);
            }
        }
        assertThat(counted).isEqualTo(sent);
    }

    @Test
    @Order(3)
    void aGracefulStopProcessesWhatTheExecutorsBlockGeneratorStillBuffers() throws Exception {
        long total = 400;
        var outputs = new Outputs();
        try (var server = new ReplayingNumberServer(total, 40, Duration.ofMillis(10))) {
            StreamingContext ssc = stream(new AckingNumberReceiver(server.host(), server.port(),
                    StorageLevel.MEMORY_ONLY_SER, true), outputs);
            try {
                ssc.start();
                assertThat(server.awaitAcked(total, WAIT)).as("the receiver took everything").isTrue();
            } finally {
                ssc.stop(false, true);
            }
        }
        // every number the receiver took reached the output before the graceful stop returned
        assertExactlyOnce(outputs, total);
        assertThat(outputs.blockLocations).isNotEmpty().allSatisfy(locations ->
                assertThat(locations).as("one copy with a storage level without replication").hasSize(1));
    }

    @Test
    @Order(4)
    void killingTheReceiversExecutorLosesNoRecordAndCountsNoneTwice() throws Exception {
        long total = 1200;
        var outputs = new Outputs();
        try (var server = new ReplayingNumberServer(total, 20, Duration.ofMillis(25))) {
            server.holdAt(total / 2);
            StreamingContext ssc = stream(server, outputs);
            try {
                ssc.start();
                assertThat(server.awaitAcked(total / 2, WAIT)).isTrue();
                long victim = server.receiverPids().get(server.receiverPids().size() - 1);
                assertThat(executorPids()).contains(victim);
                int batchesBeforeKill = outputs.batches.get();

                ProcessHandle process = ProcessHandle.of(victim).orElseThrow();
                assertThat(process.destroyForcibly()).isTrue();
                process.onExit().get(30, TimeUnit.SECONDS);
                server.release();

                long restartedIn = server.awaitNewReceiverPid(List.of(victim), WAIT);
                assertThat(restartedIn).as("the receiver restarted in another executor").isPositive()
                        .isNotEqualTo(ProcessHandle.current().pid());
                assertThat(server.awaitAcked(total, WAIT)).as("the source delivered everything").isTrue();
                awaitAllProcessed(outputs, total);
                assertThat(outputs.batches.get()).as("batches kept completing").isGreaterThan(batchesBeforeKill + 2);
                var launcher = (ClusterReceivers) ssc.receiverTracker().launcher();
                assertThat(launcher.placements(0)).isGreaterThanOrEqualTo(2);
                awaitCondition(() -> Set.copyOf(outputs.receiverStartedOn).size() >= 2,
                        "ReceiverStarted events came from two executors");
            } finally {
                ssc.stop(false, false);
            }
        }
        assertExactlyOnce(outputs, total);
    }
}
