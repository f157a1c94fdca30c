package io.sluice.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.Durations;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import io.sluice.testkit.StreamingTestKit;
import io.sluice.testkit.TestInputDStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming context starts the driver's HTTP server with the context and stops it with the context. */
class DriverHttpServerTest {

    private static StreamingTestKit.Harness withOneOutput(StreamingTestKit kit) {
        var harness = kit.open();
        new TestInputDStream<>(harness.context(), List.of(List.of(1)), 1).foreachRDD(ds -> ds.count());
        return harness;
    }

    @Test
    void aContextWhoseUiPortIsTakenServesOnTheNextPortUp() throws IOException {
        try (var taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            try (var harness = withOneOutput(StreamingTestKit.create().conf(SluiceConf.UI_PORT.name(), String.valueOf(port)))) {
                harness.runBatches(1);
                var ui = harness.context().uiServer().orElseThrow();
                assertThat(ui.port()).isBetween(port + 1, port + 16);
                assertThat(new HttpGet(ui.url()).object("/api/v1/applications/" + harness.context().context().appId()
                        + "/streaming/statistics")).containsEntry("numTotalCompletedBatches", 1L);
            }
        }
    }

    @Test
    void theDefaultPortIs4040OrTheNextFreeOneUp() {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("ui-default-port").set(SluiceConf.CLOCK, "manual");
        var ssc = new StreamingContext(conf, Durations.seconds(1));
        try {
            ssc.constantStream(ssc.parallelize(List.of(1))).foreachRDD(ds -> ds.count());
            ssc.start();
            assertThat(ssc.uiServer().orElseThrow().port()).isBetween(4040, 4040 + 16);
        } finally {
            ssc.stop();
        }
    }

    @Test
    void stoppingTheContextStopsTheServer() {
        int port;
        try (var harness = withOneOutput(StreamingTestKit.create())) {
            harness.runBatches(1);
            port = harness.context().uiServer().orElseThrow().port();
            assertThat(new HttpGet(harness.context().uiServer().orElseThrow().url()).get("/metrics/json").statusCode())
                    .isEqualTo(200);
            harness.close();
            assertThat(harness.context().uiServer()).isEmpty();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void withTheUiDisabledThereIsNoServerButTheProgressListenerStillCounts() {
        try (var harness = withOneOutput(StreamingTestKit.create().conf(SluiceConf.UI_ENABLED.name(), "false"))) {
            harness.runBatches(2);
            assertThat(harness.context().uiServer()).isEmpty();
            assertThat(harness.context().progressListener().snapshot().totalCompletedBatches()).isEqualTo(2);
        }
    }
}
