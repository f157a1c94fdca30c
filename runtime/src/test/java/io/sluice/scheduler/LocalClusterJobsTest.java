package io.sluice.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Pair;
import io.sluice.batch.Dataset;
import io.sluice.batch.Dependency;
import io.sluice.batch.PairDataset;
import io.sluice.batch.ShuffleDependency;
import io.sluice.batch.SluiceContext;
import io.sluice.batch.TaskFailedException;
import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.shuffle.MapStatus;
import io.sluice.storage.StorageLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batch jobs on {@code local-cluster[2,1,512]}: every task runs in one of two executor JVMs, map outputs stay with
 * the executor that wrote them and reducers fetch them over the transport. Each job's result is compared with the
 * same job on {@code local[2]}. One cluster serves the whole class; the test that kills an executor runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterJobsTest {
    private static final List<String> LINES = List.of(
            "the quick brown fox", "jumps over the lazy dog", "the dog barks", "a fox runs",
            "over and over", "the end", "a lazy afternoon", "the fox and the dog");

    @TempDir
    static Path workDir;

    private static SluiceContext cluster;
    private static SluiceContext local;

    @BeforeAll
    static void start() {
        cluster = new SluiceContext(new SluiceConf(false).setMaster("local-cluster[2,1,512]").setAppName("cluster-jobs")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.resolve("executors").toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.EXECUTOR_FAILURE_BACKOFF, Duration.ofMillis(100))
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(120))
                // exclusion would make the placement of later tests depend on the failure tests' order
                .set(SluiceConf.EXCLUDE_MAX_TASK_FAILURES, 100));
        local = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("local-reference"));
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
            if (local != null) {
                local.close();
            }
        } finally {
            assertThat(executorProcesses()).as("executor JVMs left after close()").isEmpty();
        }
    }

    /** The executor JVMs: Java processes below this one. */
    private static List<ProcessHandle> executorProcesses() {
        return ProcessHandle.current().descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .toList();
    }

    private static <T> void assertSameAsLocal(Function<SluiceContext, Dataset<T>> job) {
        List<T> expected = job.apply(local).collect();
        assertThat(job.apply(cluster).collect()).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static PairDataset<String, Integer> wordCounts(SluiceContext sc) {
        return sc.parallelize(LINES, 4)
                .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                .mapToPair(w -> new Pair<>(w, 1))
                .reduceByKey(Integer::sum, 2);
    }

    private static List<Pair<String, Integer>> pairs() {
        var result = new ArrayList<Pair<String, Integer>>();
        for (int i = 0; i < 60; i++) {
            result.add(Pair.of("k" + (i % 7), i));
        }
        return result;
    }

    /** The first shuffle in {@code ds}'s lineage. */
    private static ShuffleDependency<?, ?, ?> firstShuffle(Dataset<?> ds) {
        for (Dependency d : ds.dependencies()) {
            if (d instanceof ShuffleDependency<?, ?, ?> s) {
                return s;
            }
            ShuffleDependency<?, ?, ?> found = firstShuffle(d.parent());
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void wordCountFetchesMapOutputsFromBothExecutors() {
        assertThat(cluster.runsTasksOnExecutors()).isTrue();
        assertThat(cluster.slots()).isEqualTo(2);
        assertThat(cluster.appId()).startsWith("app-");

        PairDataset<String, Integer> counts = wordCounts(cluster);
        Map<String, Integer> result = counts.collectAsMap();
        assertThat(result).isEqualTo(wordCounts(local).collectAsMap());
        assertThat(result).containsEntry("the", 6).containsEntry("fox", 3).containsEntry("over", 3);

        // the map outputs were written by both executors, so each reducer read one remotely
        List<MapStatus> statuses = cluster.mapOutputTracker().statuses(firstShuffle(counts).shuffleId());
        assertThat(statuses).hasSize(4).allSatisfy(s -> assertThat(s.bucketBytes()).hasSize(2));
        Set<ExecutorId> writers = statuses.stream().map(MapStatus::location).collect(Collectors.toSet());
        assertThat(writers).hasSize(2).allSatisfy(id -> assertThat(id.value()).startsWith(cluster.appId() + "-exec-"));
    }

    @Test
    @Order(2)
    void groupByKeyJoinAndCogroupMatchLocal() {
        assertSameAsLocal(sc -> sc.parallelizePairs(pairs(), 4).groupByKey(3).mapValues(vs -> {
            var sorted = new ArrayList<Integer>();
            vs.forEach(sorted::add);
            sorted.sort(null);
            return sorted;
        }));
        assertSameAsLocal(sc -> sc.parallelizePairs(pairs(), 3)
                .join(sc.parallelizePairs(List.of(Pair.of("k1", "one"), Pair.of("k3", "three"), Pair.of("k9", "x")), 2), 2));
    }

    @Test
    @Order(3)
    void sortByKeyKeepsTheGlobalOrder() {
        Function<SluiceContext, Dataset<Pair<Integer, String>>> job = sc -> {
            var data = new ArrayList<Pair<Integer, String>>();
            for (int i = 0; i < 300; i++) {
                int k = (i * 7919) % 1000;
                data.add(Pair.of(k, "v" + k));
            }
            return sc.parallelizePairs(data, 4).sortByKey(true, 3);
        };
        List<Pair<Integer, String>> expected = job.apply(local).collect();
        assertThat(job.apply(cluster).collect()).containsExactlyElementsOf(expected);
    }

    @Test
    @Order(4)
    void repartitionCountTakeAndCollectMatchLocal() {
        Function<SluiceContext, Dataset<List<Integer>>> glom = sc -> sc.parallelize(range(100), 3).repartition(5).glom();
        assertThat(glom.apply(cluster).collect()).hasSize(5).isEqualTo(glom.apply(local).collect());

        Dataset<Integer> evens = cluster.parallelize(range(1000), 4).filter(x -> x % 2 == 0);
        assertThat(evens.count()).isEqualTo(500);
        assertThat(evens.take(3)).containsExactly(0, 2, 4);
        assertThat(evens.map(x -> x / 2).collect()).isEqualTo(range(500));
        assertThat(evens.reduce(Integer::sum)).isEqualTo(local.parallelize(range(1000), 4).filter(x -> x % 2 == 0)
                .reduce(Integer::sum));
    }

    @Test
    @Order(5)
    void aPersistedDatasetIsCachedOnTheExecutors() {
        Dataset<Integer> squares = cluster.parallelize(range(10), 2).map(x -> x * x).persist(StorageLevel.MEMORY_ONLY);
        assertThat(squares.reduce(Integer::sum)).isEqualTo(285);
        assertThat(squares.collect()).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
        // the blocks are in the executors' stores, not the driver's
        assertThat(cluster.blockStore().contains("rdd_" + squares.id() + "_0")).isFalse();
        squares.unpersist();
        assertThat(squares.collect()).hasSize(10);
    }

    @Test
    @Order(6)
    void aTaskThatFailsOnceSucceedsOnRetry() {
        // the first attempt of partition 1 throws; the retry (attempt 1) returns its attempt number
        List<Integer> attempts = cluster.runJob(cluster.parallelize(range(4), 4), "flaky", (p, ctx) -> {
            if (p == 1 && ctx.attempt() == 0) {
                throw new IllegalStateException("first attempt of partition " + p + " fails");
            }
            return ctx.attempt();
        });
        assertThat(attempts).containsExactly(0, 1, 0, 0);
    }

    @Test
    @Order(7)
    void aTaskThatAlwaysFailsFailsTheJobWithItsMessageAfterMaxFailures() {
        Dataset<Integer> bad = cluster.parallelize(range(6), 2).map(x -> {
            if (x == 4) {
                throw new IllegalArgumentException("bad element " + x);
            }
            return x;
        });
        assertThatThrownBy(bad::collect)
                .isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("Task 1 of stage")
                .hasMessageContaining("failed 4 times (sluice.task.maxFailures = 4)")
                .hasMessageContaining("java.lang.IllegalArgumentException: bad element 4")
                .cause().isInstanceOf(ClusterTaskScheduler.RemoteTaskException.class)
                .hasMessageContaining("Remote stack trace")
                .hasMessageContaining(LocalClusterJobsTest.class.getName());
        // the executors are still usable
        assertThat(cluster.parallelize(range(6), 2).map(x -> x + 1).collect()).containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    @Order(100)
    void anExecutorKilledDuringAShuffleJobIsReplacedAndItsOutputsRecomputed() throws IOException {
        long[] pids = executorProcesses().stream().mapToLong(ProcessHandle::pid).toArray();
        assertThat(pids).hasSize(2);
        String claim = workDir.resolve("kill-claimed").toString();
        String marker = workDir.resolve("killed").toString();
        Files.deleteIfExists(Path.of(claim));
        Files.deleteIfExists(Path.of(marker));

        // reducer 0 SIGKILLs the other executor once, while reducer 1 runs there and after both executors wrote
        // map outputs: reducer 1 is lost, its retry cannot fetch the dead executor's outputs, the job re-plans
        PairDataset<String, Integer> counts = wordCounts(cluster);
        Dataset<String> job = counts.mapPartitionsWithIndex((partition, it) -> {
            var out = new ArrayList<String>();
            it.forEachRemaining(p -> out.add(p.key() + "=" + p.value()));
            if (partition == 0) {
                try {
                    Files.createFile(Path.of(claim)); // fails once claimed: kill only once
                    long self = ProcessHandle.current().pid();
                    for (long pid : pids) {
                        if (pid != self) {
                            var victim = ProcessHandle.of(pid);
                            victim.ifPresent(ProcessHandle::destroyForcibly);
                            if (victim.isPresent()) {
                                victim.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                            }
                        }
                    }
                    Files.createFile(Path.of(marker));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // already killed
                }
            } else if (partition == 1) {
                // the first time, stay busy until the other executor was killed (which may be this one)
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                while (!Files.exists(Path.of(marker)) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
            }
            return out.iterator();
        }, false);
        List<String> result = job.collect();

        List<String> expected = wordCounts(local).collect().stream().map(p -> p.key() + "=" + p.value()).toList();
        assertThat(result).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(Files.exists(Path.of(marker))).as("an executor was killed").isTrue();
        long survivors = Arrays.stream(pids).filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).count();
        assertThat(survivors).as("one of the original executors was killed (and waited for), the other runs").isEqualTo(1);
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }
}
