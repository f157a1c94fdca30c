package io.sluice.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tasks over a parallelized list carry only their own slice when sent to an executor. */
class TaskShippingTest {
    private SluiceContext sc;
    private KryoSerializer serializer;

    @BeforeEach
    void setUp() {
        sc = new SluiceContext(new SluiceConf(false).setMaster("local[2]").setAppName("task-shipping-test"));
        serializer = new KryoSerializer(new SluiceConf(false));
    }

    @AfterEach
    void tearDown() {
        sc.close();
    }

    private static List<String> lines(int n) {
        return IntStream.range(0, n).mapToObj(i -> "line " + i).toList();
    }

    private <T> List<T> run(Dataset<T> dataset, int partition) {
        var out = new ArrayList<T>();
        dataset.iterate(partition, new TaskContext(0, partition, 0, sc.env()), out::add);
        return out;
    }

    @Test
    void aTaskOverElementWiseStepsCarriesItsSliceOnly() {
        Dataset<String> words = sc.parallelize(lines(10_000), 4).flatMap(l -> List.of(l.split(" ")).iterator())
                .filter(w -> !w.isEmpty());
        var task = new ResultTask<>(1, 2, words, (p, ctx) -> null);

        byte[] sliced = TaskShipping.serialize(serializer, task);
        byte[] whole = serializer.serialize(task);
        assertThat(sliced.length).as("a quarter of the lines, give or take the functions").isLessThan(whole.length / 3);

        ResultTask<?> shipped = serializer.deserialize(sliced);
        assertThat(run(shipped.dataset(), 2)).isEqualTo(run(words, 2));
        assertThatThrownBy(() -> run(shipped.dataset(), 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shipped with slice 2 only");
        // the mark ends with the serialization: the driver's dataset ships everything again
        ResultTask<?> again = serializer.deserialize(serializer.serialize(task));
        assertThat(run(again.dataset(), 1)).isEqualTo(run(words, 1));
    }

    @Test
    void aUnionIsNotSlicedAndAShuffleMapTaskIs() {
        Dataset<String> a = sc.parallelize(lines(100), 2);
        Dataset<String> union = a.union(sc.parallelize(lines(10), 2));
        var task = new ResultTask<>(1, 3, union, (p, ctx) -> null);
        ResultTask<?> shipped = serializer.deserialize(TaskShipping.serialize(serializer, task));
        assertThat(run(shipped.dataset(), 3)).isEqualTo(run(union, 3));

        var pairs = sc.parallelize(lines(1_000), 2).mapToPair(l -> new io.sluice.api.Pair<>(l, 1)).reduceByKey(Integer::sum, 3);
        Dependency d = pairs.dependencies().get(0);
        while (!(d instanceof ShuffleDependency<?, ?, ?>)) {
            d = d.parent().dependencies().get(0);
        }
        var dependency = (ShuffleDependency<?, ?, ?>) d;
        var mapTask = new ShuffleMapTask(1, 1, dependency);
        ShuffleMapTask shippedMap = serializer.deserialize(TaskShipping.serialize(serializer, mapTask));
        assertThat(run(shippedMap.dependency().parent(), 1)).isEqualTo(run(dependency.parent(), 1));
    }

    @Test
    void aReduceTaskDoesNotCarryTheMapSideOfItsShuffle() {
        var small = sc.parallelize(lines(10), 2).mapToPair(l -> new io.sluice.api.Pair<>(l, 1)).reduceByKey(Integer::sum, 2);
        var large = sc.parallelize(lines(100_000), 2).mapToPair(l -> new io.sluice.api.Pair<>(l, 1)).reduceByKey(Integer::sum, 2);
        byte[] smallTask = TaskShipping.serialize(serializer, new ResultTask<>(1, 0, small, (p, ctx) -> null));
        byte[] largeTask = TaskShipping.serialize(serializer, new ResultTask<>(1, 0, large, (p, ctx) -> null));
        assertThat(largeTask.length).as("the map side's 100,000 lines stay on the driver")
                .isLessThan(smallTask.length + 1_000);

        ResultTask<?> shipped = serializer.deserialize(largeTask);
        Dependency d = shipped.dataset().dependencies().get(0);
        while (!(d instanceof ShuffleDependency<?, ?, ?>)) {
            d = d.parent().dependencies().get(0);
        }
        assertThat(d.parent()).isNull();
        assertThat(((ShuffleDependency<?, ?, ?>) d).shuffleId()).isPositive();
    }
}
