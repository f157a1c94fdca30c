package io.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every problem start() (or building the graph) rejects, with the message users know from Spark Streaming. */
class StartValidationTest {

    private static void assertStartFails(StreamingTestKit.Harness harness, String message) {
        var ssc = harness.context();
        assertThatThrownBy(ssc::start).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
    }

    @Test
    void startWithoutOutputOperationsFailsAndStopsTheContext() {
        try (var harness = StreamingTestKit.create().open()) {
            new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2).map(x -> x + 1);
            var ssc = harness.context();
            assertThatThrownBy(ssc::start).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("requirement failed: No output operations registered, so nothing to execute");
            assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
        }
    }

    @Test
    void windowDurationMustBeAMultipleOfTheParentSlide() {
        try (var harness = StreamingTestKit.create().open()) {
            new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2)
                    .window(Durations.milliseconds(1500), Durations.seconds(1)).foreachRDD(ds -> { });
            assertStartFails(harness, "The window duration of windowed DStream (1500 ms) must be a multiple of the "
                    + "slide duration of parent DStream (1000 ms)");
        }
    }

    @Test
    void slideDurationMustBeAMultipleOfTheParentSlide() {
        try (var harness = StreamingTestKit.create().open()) {
            new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2)
                    .window(Durations.seconds(3), Durations.milliseconds(1500)).foreachRDD(ds -> { });
            assertStartFails(harness, "The slide duration of windowed DStream (1500 ms) must be a multiple of the "
                    + "slide duration of parent DStream (1000 ms)");
        }
    }

    @Test
    void checkpointIntervalMustBeAMultipleOfTheSlide() {
        try (var harness = StreamingTestKit.create().open()) {
            var stream = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2);
            stream.checkpoint(Durations.milliseconds(1500));
            stream.foreachRDD(ds -> { });
            assertStartFails(harness, "requirement failed: The checkpoint interval for TestInputDStream has been set "
                    + "to 1500 ms which not a multiple of its slide time (1000 ms). Please set it to a multiple of 1000 ms.");
        }
    }

    @Test
    void checkpointIntervalOfADerivedStreamIsCheckedToo() {
        try (var harness = StreamingTestKit.create().open()) {
            var mapped = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2).map(x -> x * 2);
            mapped.checkpoint(Durations.milliseconds(2500)).print();
            assertStartFails(harness, "The checkpoint interval for MappedDStream has been set to 2500 ms which not a "
                    + "multiple of its slide time (1000 ms). Please set it to a multiple of 1000 ms.");
        }
    }

    @Test
    void aCheckpointIntervalThatIsAMultipleOfTheSlideIsAccepted() {
        try (var harness = StreamingTestKit.create().open()) {
            var stream = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2);
            stream.checkpoint(Durations.seconds(3)).count().foreachRDD(ds -> { });
            harness.context().start();
            assertThat(harness.context().getState()).isEqualTo(StreamingContext.State.ACTIVE);
        }
    }

    @Test
    void unionAndTransformWithNeedTheSameSlideDuration() {
        try (var harness = StreamingTestKit.create().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2);
            s.union(s.window(Durations.seconds(2), Durations.seconds(2))).print();
            assertStartFails(harness, "Some of the DStreams have different slide durations");
        }
        try (var harness = StreamingTestKit.create().open()) {
            var s = new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2);
            s.transformWith(s.window(Durations.seconds(2), Durations.seconds(2)),
                    (io.sluice.batch.Dataset<Integer> a, io.sluice.batch.Dataset<Integer> b) -> a).print();
            assertStartFails(harness, "Some of the DStreams of transformWith have different slide durations "
                    + "(2000 ms and 1000 ms)");
        }
    }

    @Test
    void noStreamsOrOutputOperationsMayBeAddedAfterStart() {
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            var stream = new TestInputDStream<>(ssc, List.of(List.of(1)), 2);
            stream.print();
            ssc.start();
            String message = "Adding new inputs, transformations, and output operations after starting a context "
                    + "is not supported";
            assertThatThrownBy(() -> stream.map(x -> x)).isInstanceOf(IllegalStateException.class).hasMessage(message);
            assertThatThrownBy(stream::print).isInstanceOf(IllegalStateException.class).hasMessage(message);
            assertThatThrownBy(() -> stream.foreachRDD(ds -> { })).hasMessage(message);
            assertThatThrownBy(() -> ssc.queueStream(new ArrayDeque<>())).hasMessage(message);
            assertThatThrownBy(() -> stream.window(Durations.seconds(2))).hasMessage(message);
        }
    }

    /** Deliberately not Serializable. */
    static final class ConnectionPool {
        int offset() {
            return 5;
        }
    }

    @Test
    void aNonSerializableObjectCapturedByAReduceFunctionFailsAtStart() {
        try (var harness = StreamingTestKit.create().open()) {
            var pool = new ConnectionPool();
            new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2)
                    .filter(x -> x > 0)
                    .mapToPair(x -> Pair.of(x, 1)).reduceByKey((a, b) -> a + b + pool.offset()).print();
            assertStartFails(harness, "Task not serializable: the function of operation 'reduceByKey'");
            assertThatThrownBy(harness.context()::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aClosureCapturingANonSerializableObjectFailsAtStartNamingOperationAndClass() {
        try (var harness = StreamingTestKit.create().open()) {
            var pool = new ConnectionPool();
            new TestInputDStream<>(harness.context(), List.of(List.of(1)), 2)
                    .filter(x -> x > 0).map(x -> x + pool.offset()).print();
            var ssc = harness.context();
            assertThatThrownBy(ssc::start).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Task not serializable")
                    .hasMessageContaining("the function of operation 'map'")
                    .hasMessageContaining("captures an object of class " + ConnectionPool.class.getName());
            assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
        }
    }

    @Test
    void aStoppedContextCannotBeStartedAgain() {
        try (var harness = StreamingTestKit.create().open()) {
            var ssc = harness.context();
            new TestInputDStream<>(ssc, List.of(List.of(1)), 2).print();
            ssc.start();
            ssc.stop(false, false);
            assertThat(ssc.getState()).isEqualTo(StreamingContext.State.STOPPED);
            assertThatThrownBy(ssc::start).isInstanceOf(IllegalStateException.class)
                    .hasMessage("StreamingContext has already been stopped");
        }
    }

    @Test
    void aContextStoppedBeforeStartCannotBeStarted() {
        var ssc = new StreamingContext(new SluiceConf(false).setMaster("local[1]").setAppName("t"), Durations.seconds(1));
        ssc.stop();
        assertThatThrownBy(ssc::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("StreamingContext has already been stopped");
    }

    @Test
    void aBadMasterUrlListsTheInstalledMasters() {
        for (String master : new String[] {"spark://host:7077", "k8s://https://kube:6443", "mesos://m:5050"}) {
            assertThatThrownBy(() -> new SluiceContext(new SluiceConf(false).setMaster(master).setAppName("wc")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot start wc: no backend installed for this master: '" + master + "'; installed masters: "
                            + "local, local[N], local[*], local-cluster[E,C,M] (a cluster manager's backend is installed by "
                            + "putting its module on the class path)");
        }
        assertThatThrownBy(() -> new StreamingContext("local[0]", "app", Durations.seconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid master URL 'local[0]': local[N] needs N >= 1");
        assertThatThrownBy(() -> new SluiceContext(new SluiceConf(false).setMaster("local-cluster[2,1]")))
                .hasMessageContaining("expected local-cluster[E,C,M]").hasMessageContaining("local[N]");
    }

    @Test
    void validateListsEveryBadConfigurationKey() {
        var conf = new SluiceConf(false)
                .set("sluice.default.parallelism", "two")
                .set("sluice.streaming.blockInterval", "soon")
                .set("sluice.streaming.unpersist", "maybe")
                .set("sluice.streaming.blockIntervall", "200ms")
                .set("sluice.app.name", "fine")
                .set("sluice.user.anything", "allowed");
        assertThat(conf.validate()).containsExactly(
                "sluice.default.parallelism: cannot parse 'two' as Integer",
                "sluice.streaming.blockInterval: cannot parse 'soon' as Duration (examples: 200ms, 10s, 1min)",
                "sluice.streaming.unpersist: cannot parse 'maybe' as Boolean");
        assertThat(new SluiceConf(false).setMaster("local[3]").set("sluice.streaming.blockInterval", "50ms").validate())
                .isEmpty();
    }

    @Test
    void aContextDoesNotStartWithAnInvalidValueAndListsEveryOne() {
        var conf = new SluiceConf(false).setMaster("local[1]")
                .set("sluice.streaming.unpersist", "maybe")
                .set("sluice.rpc.askTimeout", "0ms");
        assertThatThrownBy(() -> new StreamingContext(conf, Durations.seconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sluice.streaming.unpersist: cannot parse 'maybe' as Boolean")
                .hasMessageContaining("sluice.rpc.askTimeout: expected >= 1 ms, got 0ms");
    }

    @Test
    void aMisspelledKeyIsWarnedOfAtStartNamingTheKeyMeant() {
        var conf = new SluiceConf(false).setMaster("local[1]").set("sluice.streaming.backpresure.enabled", "true");
        var ssc = new StreamingContext(conf, Durations.seconds(1));
        try {
            assertThat(ssc.context().configurationWarnings()).singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                    .startsWith("sluice.streaming.backpresure.enabled: unknown configuration key")
                    .endsWith("did you mean sluice.streaming.backpressure.enabled?");
        } finally {
            ssc.stop();
        }
    }

    @Test
    void aValueUnderAnOldKeyNameIsUsedAndWarnedOfAtStart() {
        var conf = new SluiceConf(false).setMaster("local[1]")
                .set("sluice.yarn.executor.extraJavaOptions", "-Dsluice.test.old=1");
        var ssc = new StreamingContext(conf, Durations.seconds(1));
        try {
            assertThat(ssc.context().configurationWarnings()).containsExactly("sluice.yarn.executor.extraJavaOptions is "
                    + "deprecated; use sluice.executor.extraJavaOptions (its value is used)");
            assertThat(ssc.context().conf().get(SluiceConf.EXECUTOR_JAVA_OPTIONS)).isEqualTo("-Dsluice.test.old=1");
        } finally {
            ssc.stop();
        }
    }

    @Test
    void batchDurationMustBePositive() {
        var conf = new SluiceConf(false).setMaster("local[1]");
        assertThatThrownBy(() -> new StreamingContext(conf, Durations.milliseconds(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Batch duration must be positive");
    }
}
