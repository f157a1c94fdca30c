package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.esotericsoftware.kryo.Kryo;
import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.HashPartitioner;
import io.sluice.batch.PairDataset;
import io.sluice.batch.ResultTask;
import io.sluice.batch.SluiceContext;
import io.sluice.batch.TaskFailedException;
import io.sluice.batch.TaskFunction;
import io.sluice.cluster.ExecutorId;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoRegistrator;
import io.sluice.serde.KryoSerializer;
import io.sluice.shuffle.MapStatus;
import io.sluice.shuffle.ShuffleFetchException;
import io.sluice.state.InMemoryStateStore;
import io.sluice.state.MappedRecords;
import io.sluice.state.MappedRecordsDataset;
import io.sluice.state.StateDataset;
import io.sluice.state.StateStore;
import io.sluice.state.StoreSpec;
import io.sluice.storage.StorageLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs whose every task is serialized with Kryo, deserialized into an {@link ExecutorEnv} (no driver context) and
 * run by {@link TaskRunner}, with map outputs in the executor's serialized shuffle store: each gives what the same
 * job gives in local mode.
 */
class ExecutorTaskExecutionTest {
    private static final ExecutorId EXECUTOR = new ExecutorId("exec-1");
    /** Counts computations across deserialized copies of a function (a static field does not travel). */
    private static final AtomicInteger COMPUTED = new AtomicInteger();

    private static final List<String> LINES = List.of(
            "the quick brown fox", "jumps over the lazy dog", "the dog barks", "a fox runs",
            "over and over", "the end");

    /** What an application registers under registrationRequired: the class its lambdas are defined in. */
    public static final class TestClasses implements KryoRegistrator {
        @Override
        public void registerClasses(Kryo kryo) {
            kryo.register(ExecutorTaskExecutionTest.class);
        }
    }

    @TempDir
    Path localDir;

    private SluiceContext local;
    private SluiceContext remote;
    private ExecutorEnv executor;
    private SerializingTaskScheduler scheduler;

    @BeforeEach
    void start() {
        startRemote(256L << 20, false);
        local = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("local-reference"));
    }

    private void startRemote(long shuffleMemoryBytes, boolean registrationRequired) {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("executor-test")
                .set(SluiceConf.LOCAL_DIR, localDir.toString())
                .set(SluiceConf.SHUFFLE_MEMORY_BYTES, shuffleMemoryBytes)
                .set(SluiceConf.KRYO_REGISTRATION_REQUIRED, registrationRequired)
                .set(SluiceConf.KRYO_REGISTRATOR, registrationRequired ? TestClasses.class.getName() : "");
        SluiceContext[] driver = new SluiceContext[1];
        executor = new ExecutorEnv(EXECUTOR, conf, shuffleId -> driver[0].mapOutputTracker().statuses(shuffleId),
                (location, shuffleId, reduceId, mapIds) -> {
                    throw new ShuffleFetchException(location, shuffleId, mapIds[0], reduceId, "no transport here", null);
                });
        driver[0] = new SluiceContext(conf, env -> {
            scheduler = new SerializingTaskScheduler(new KryoSerializer(conf), executor);
            return scheduler;
        });
        remote = driver[0];
    }

    @AfterEach
    void stop() {
        if (local != null) {
            local.close();
        }
        remote.close();
        executor.close();
    }

    /** The same job built on both contexts. */
    private <T> void assertSameResults(Function<SluiceContext, Dataset<T>> job) {
        List<T> expected = job.apply(local).collect();
        int shippedBefore = scheduler.shippedTasks();
        List<T> actual = job.apply(remote).collect();
        assertThat(scheduler.shippedTasks()).isGreaterThan(shippedBefore);
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static PairDataset<String, Integer> wordCounts(SluiceContext sc) {
        return sc.parallelize(LINES, 3)
                .flatMap(line -> Arrays.asList(line.split(" ")).iterator())
                .mapToPair(w -> new Pair<>(w, 1))
                .reduceByKey(Integer::sum, 2);
    }

    @Test
    void wordCountMatchesTheLocalRunWithMapOutputsInTheExecutorsSerializedStore() {
        assertSameResults(ExecutorTaskExecutionTest::wordCounts);
        var wordCounts = wordCounts(remote);
        Map<String, Integer> counts = wordCounts.collectAsMap();
        assertThat(counts).containsEntry("the", 4).containsEntry("over", 3).containsEntry("fox", 2).hasSize(13);

        // map outputs are serialized blocks in the executor's store, located there by the driver's tracker
        assertThat(executor.shuffleBlocks().memoryUsed()).isPositive();
        assertThat(executor.shuffleBlocks().files(0)).isEmpty();
        List<MapStatus> statuses = remote.mapOutputTracker().statuses(0);
        assertThat(statuses).hasSize(3).allSatisfy(s -> {
            assertThat(s.location()).isEqualTo(EXECUTOR);
            assertThat(s.bucketBytes()).hasSize(2);
        });
        // nothing was persisted, so nothing is cached on the executor
        assertThat(executor.blockStore().size()).isZero();
        // every task of the job, and its result, went through Kryo
        assertThat(scheduler.results()).isNotEmpty().allSatisfy(r -> assertThat(r).isInstanceOf(TaskResult.Success.class));
        // the shuffle is released once its dataset is unreachable: keep it until the statuses were read
        java.lang.ref.Reference.reachabilityFence(wordCounts);
    }

    @Test
    void groupByKeyMatchesTheLocalRun() {
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 4).groupByKey(3)
                .mapValues(vs -> {
                    var sorted = new ArrayList<Integer>();
                    vs.forEach(sorted::add);
                    sorted.sort(null);
                    return sorted;
                }));
    }

    @Test
    void joinAndCogroupMatchTheLocalRun() {
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 3)
                .join(sc.parallelizePairs(List.of(Pair.of("k1", "one"), Pair.of("k3", "three"), Pair.of("k9", "x")), 2), 2));
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 3)
                .cogroup(sc.parallelizePairs(List.of(Pair.of("k2", 'b'), Pair.of("k8", 'h')), 2), 3)
                .mapValues(g -> {
                    var left = new ArrayList<Integer>();
                    g.key().forEach(left::add);
                    left.sort(null);
                    var right = new ArrayList<Character>();
                    g.value().forEach(right::add);
                    return left + " | " + right;
                }));
    }

    @Test
    void sortByKeyGivesTheSameOrderAsTheLocalRun() {
        Function<SluiceContext, Dataset<Pair<Integer, String>>> job = sc -> {
            var data = new ArrayList<Pair<Integer, String>>();
            for (int i = 0; i < 200; i++) {
                int k = (i * 7919) % 1000;
                data.add(Pair.of(k, "v" + k));
            }
            return sc.parallelizePairs(data, 4).sortByKey(false, 3);
        };
        List<Pair<Integer, String>> expected = job.apply(local).collect();
        assertThat(job.apply(remote).collect()).containsExactlyElementsOf(expected);
        assertThat(expected.get(0).key()).isGreaterThan(expected.get(expected.size() - 1).key());
    }

    @Test
    void repartitionDealsElementsLikeTheLocalRun() {
        Function<SluiceContext, Dataset<List<Integer>>> job = sc -> sc.parallelize(range(100), 3).repartition(5).glom();
        List<List<Integer>> expected = job.apply(local).collect();
        List<List<Integer>> actual = job.apply(remote).collect();
        assertThat(actual).hasSize(5).isEqualTo(expected);
    }

    @Test
    void aPersistedDatasetIsComputedOnceIntoTheExecutorsBlockStore() {
        COMPUTED.set(0);
        Dataset<Integer> squares = remote.parallelize(range(10), 2).map(x -> {
            COMPUTED.incrementAndGet();
            return x * x;
        }).persist(StorageLevel.MEMORY_ONLY);
        assertThat(squares.reduce(Integer::sum)).isEqualTo(285);
        assertThat(squares.collect()).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
        assertThat(COMPUTED.get()).isEqualTo(10);
        assertThat(executor.blockStore().<Integer>get("rdd_" + squares.id() + "_1")).containsExactly(25, 36, 49, 64, 81);
        // the driver's own block store is not where executor tasks cache
        assertThat(remote.blockStore().contains("rdd_" + squares.id() + "_0")).isFalse();
    }

    @Test
    void aLambdaKeepsTheLocalVariablesItCaptured() {
        int offset = 1000;
        String prefix = "n";
        var suffixes = new TreeMap<Integer, String>(Map.of(0, "even", 1, "odd"));
        assertSameResults(sc -> sc.parallelize(range(20), 3).map(x -> prefix + (x + offset) + suffixes.get(x % 2)));
        assertThat(remote.parallelize(range(2), 1).map(x -> prefix + (x + offset) + suffixes.get(x % 2)).collect())
                .containsExactly("n1000even", "n1001odd");
    }

    @Test
    void aTaskThatThrowsReportsTheExceptionClassAndMessage() {
        var ds = remote.parallelize(range(6), 2).map(x -> {
            if (x == 4) {
                throw new IllegalArgumentException("bad element " + x);
            }
            return x;
        });
        assertThatThrownBy(ds::collect).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("on exec-1: java.lang.IllegalArgumentException: bad element 4");
        TaskResult.Failure<?> failure = (TaskResult.Failure<?>) scheduler.results().get(scheduler.results().size() - 1);
        assertThat(failure.exceptionClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(failure.message()).isEqualTo("bad element 4");
        assertThat(failure.stackTrace()).contains("IllegalArgumentException: bad element 4")
                .contains(ExecutorTaskExecutionTest.class.getName());
        // the exception object stays where it was thrown: only strings came back
        assertThat(failure.exception()).isEmpty();
    }

    @Test
    void runningATaskInTheSameProcessKeepsTheExceptionItself() {
        TaskFunction<Integer> fn = (p, ctx) -> {
            throw new UnsupportedOperationException("no " + p);
        };
        TaskResult<Integer> result = TaskRunner.run(new ResultTask<>(7, 1, remote.parallelize(range(2), 2), fn), 0, executor);
        assertThat(result).isInstanceOfSatisfying(TaskResult.Failure.class, f -> {
            assertThat(f.exceptionClass()).isEqualTo(UnsupportedOperationException.class.getName());
            assertThat(f.describe()).isEqualTo("java.lang.UnsupportedOperationException: no 1");
            assertThat(f.exception()).containsInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void aTaskThatUsesTheDriverContextOnAnExecutorFailsWithAClearMessage() {
        Dataset<Integer> other = remote.parallelize(range(3), 1);
        var ds = remote.parallelize(range(2), 1).map(x -> other.count());
        assertThatThrownBy(ds::collect).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("java.lang.IllegalStateException")
                .hasMessageContaining("was used without its driver context")
                .hasMessageContaining("can only be invoked on the driver, not inside a task running on an executor");
    }

    @Test
    void tasksNeedNoRegistrationOfEngineClassesWhenKryoRegistrationIsRequired() {
        remote.close();
        executor.close();
        startRemote(256L << 20, true);
        assertSameResults(ExecutorTaskExecutionTest::wordCounts);
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 3).groupByKey(2).mapValues(vs -> {
            int n = 0;
            for (int ignored : vs) {
                n++;
            }
            return n;
        }));
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 3).sortByKey(true, 2)
                .join(sc.parallelizePairs(pairs(), 2).coalesce(1), 3).union(sc.parallelizePairs(List.of(), 1))
                .repartition(2));
        assertSameResults(sc -> sc.parallelize(range(30), 3).mapPartitions(it -> {
            int sum = 0;
            while (it.hasNext()) {
                sum += it.next();
            }
            return List.of(sum).iterator();
        }).persist(StorageLevel.MEMORY_ONLY_SER));
    }

    @Test
    void aMapOutputThatCannotBeFetchedIsReportedAsAFetchFailureNamingTheMapAndLocation() {
        var counts = wordCounts(remote);
        counts.collect();
        var gone = new ExecutorId("exec-gone");
        MapStatus moved = remote.mapOutputTracker().statuses(0).get(1);
        remote.mapOutputTracker().add(0, new MapStatus(gone, 1, moved.bucketBytes()));

        assertThatThrownBy(counts::collect).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("could not fetch map 1 from exec-gone");
        var results = scheduler.results();
        assertThat(results.get(results.size() - 1)).isInstanceOfSatisfying(TaskResult.FetchFailed.class, f -> {
            assertThat(f.location()).isEqualTo(gone);
            assertThat(f.shuffleId()).isZero();
            assertThat(f.mapId()).isEqualTo(1);
            assertThat(f.message()).contains("shuffle_0_1_").contains("no transport here");
        });
    }

    @Test
    void stateIsReadAndWrittenInTheStoreTheExecutorHostsForTheOperator() {
        var partitioner = new HashPartitioner(2);
        var spec = new StoreSpec("counts", 2, new Time(0), false);
        var driverStore = spec.<String, Integer>newStore();
        PairDataset<String, Integer> words = remote.parallelizePairs(
                List.of(Pair.of("a", 1), Pair.of("b", 1), Pair.of("a", 1)), 2).partitionBy(partitioner);
        StateDataset.PartitionUpdate<String, Integer> count = (tx, partition, ctx) -> words.iterate(partition, ctx, kv -> {
            var entry = tx.get(kv.key());
            tx.put(kv.key(), (entry == null ? 0 : entry.value()) + kv.value());
        });
        var state = new StateDataset<>(remote, "updateStateByKey", spec, partitioner, new Time(0), new Time(1000),
                List.of(words), count, null, null, true);

        assertThat(state.collect()).containsExactlyInAnyOrder(Pair.of("a", 2), Pair.of("b", 1));
        StateStore<String, Integer> executorStore = executor.stateStores().existing("counts");
        assertThat(executorStore).as("the first task touching the state creates the store in its process").isNotNull();
        assertThat(executorStore.size()).isEqualTo(2);
        assertThat(executorStore.latestVersion(partitioner.partition("a"))).isEqualTo(new Time(1000));
        assertThat(driverStore.size()).as("the driver's store is not where executor tasks write").isZero();

        var orphan = new StateDataset<>(remote, "updateStateByKey", new StoreSpec("elsewhere", 2, new Time(0), false),
                partitioner, new Time(1000), new Time(2000), List.of(words), count, null, null, true);
        assertThatThrownBy(orphan::collect).isInstanceOf(TaskFailedException.class)
                .hasMessageContaining("of the state of 'elsewhere' at 1000 ms is not in this process")
                .hasMessageContaining("neither a saved copy of it nor the lineage to recompute it");
    }

    @Test
    void mappedRecordsAreWrittenAndReadThroughTheExecutorsRegistry() {
        var partitioner = new HashPartitioner(2);
        var records = new MappedRecords<String>(2);
        executor.stateStores().registerMappedRecords("sessions", records);
        PairDataset<String, Integer> clicks = remote.parallelizePairs(
                List.of(Pair.of("u1", 3), Pair.of("u2", 4), Pair.of("u1", 5)), 2).partitionBy(partitioner);
        Time version = new Time(2000);
        var state = new StateDataset<String, Integer>(remote, "mapWithState",
                new StoreSpec("sessions", 2, new Time(0), false), partitioner, new Time(0),
                version, List.of(clicks), (tx, partition, ctx) -> {
                    var out = new ArrayList<String>();
                    clicks.iterate(partition, ctx, kv -> {
                        var entry = tx.get(kv.key());
                        int total = (entry == null ? 0 : entry.value()) + kv.value();
                        tx.put(kv.key(), total);
                        out.add(kv.key() + "=" + total);
                    });
                    ctx.env().stateStores().<String>mappedRecords("sessions", 2).put(version, partition, out);
                }, null, null, true);

        assertThat(new MappedRecordsDataset<>(state).collect()).containsExactlyInAnyOrder("u1=3", "u1=8", "u2=4");
        assertThat(records.get(version, partitioner.partition("u1"))).containsExactly("u1=3", "u1=8");
    }

    @Test
    void withATinyMemoryBudgetMapOutputsGoToFilesAndReadBackIdentically() throws Exception {
        remote.close();
        executor.close();
        startRemote(64, false);
        var counts = wordCounts(remote);
        assertThat(counts.collect()).containsExactlyInAnyOrderElementsOf(wordCounts(local).collect());
        List<Path> files = executor.shuffleBlocks().files(0);
        assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).exists().startsWith(localDir));
        assertSameResults(sc -> sc.parallelizePairs(pairs(), 4).groupByKey(3).mapValues(vs -> {
            int sum = 0;
            for (int v : vs) {
                sum += v;
            }
            return sum;
        }));

        executor.shuffleBlocks().release(0);
        assertThat(files).allSatisfy(f -> assertThat(f).doesNotExist());
        executor.close();
        try (Stream<Path> left = Files.list(localDir)) {
            assertThat(left).as("the executor's scratch directory is deleted on close").isEmpty();
        }
    }

    private static List<Pair<String, Integer>> pairs() {
        var data = new ArrayList<Pair<String, Integer>>();
        for (int i = 0; i < 60; i++) {
            data.add(Pair.of("k" + (i % 7), i));
        }
        return data;
    }

    private static List<Integer> range(int n) {
        var list = new ArrayList<Integer>();
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        return list;
    }
}
