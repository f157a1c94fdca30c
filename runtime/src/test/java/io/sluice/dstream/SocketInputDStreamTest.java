package io.sluice.dstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.api.DStream;
import io.sluice.api.Durations;
import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.BlockDataset;
import io.sluice.conf.SluiceConf;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.ReceiverInfo;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.receiver.Await;
import io.sluice.storage.StorageLevel;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SocketInputDStreamTest {
    private static final String HOST = "127.0.0.1";

    private final CountDownLatch testDone = new CountDownLatch(1);
    private final List<Thread> servers = new ArrayList<>();
    private StreamingContext ssc;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (ssc != null) {
            ssc.stop(true, false);
        }
        testDone.countDown();
        for (Thread t : servers) {
            t.join(10_000);
        }
    }

    /** Batch output of the stream, by batch time, with the block ids of each batch. */
    private static final class Collected {
        final ConcurrentSkipListMap<Time, List<String>> lines = new ConcurrentSkipListMap<>();
        final ConcurrentSkipListMap<Time, List<String>> blocks = new ConcurrentSkipListMap<>();

        void attach(DStream<String> stream) {
            stream.foreachRDD((ds, time) -> {
                blocks.put(time, ((BlockDataset<String>) ds).blockIds());
                lines.put(time, ds.collect());
            });
        }

        List<String> allLines() {
            var all = new ArrayList<String>();
            lines.values().forEach(all::addAll);
            return all;
        }

        int count() {
            return lines.values().stream().mapToInt(List::size).sum();
        }
    }

    private StreamingContext systemClockContext(Duration batch, String... conf) {
        var c = new SluiceConf(false).setMaster("local[2]").setAppName("socket-test");
        for (int i = 0; i < conf.length; i += 2) {
            c.set(conf[i], conf[i + 1]);
        }
        return new StreamingContext(c, batch);
    }

    /** Serves one connection on {@code server}: writes {@code lines}, flushing {@code perTick} lines every 20 ms. */
    private void serve(ServerSocket server, List<String> lines, int perTick, boolean closeAfterwards) {
        var t = new Thread(() -> {
            try (Socket s = server.accept();
                 Writer w = new BufferedWriter(new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8))) {
                for (int i = 0; i < lines.size(); i++) {
                    w.write(lines.get(i));
                    w.write('\n');
                    if (i % perTick == perTick - 1) {
                        w.flush();
                        Thread.sleep(20); // pacing the producer, not waiting for a result
                    }
                }
                w.flush();
                if (!closeAfterwards) {
                    testDone.await(60, TimeUnit.SECONDS);
                }
            } catch (IOException | InterruptedException e) {
                if (testDone.getCount() > 0) {
                    throw new IllegalStateException("test server failed", e);
                }
            }
        }, "socket-test-server");
        t.setDaemon(true);
        servers.add(t);
        t.start();
    }

    private static List<String> lines(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i + " — ünïcödé").toList();
    }

    @Test
    void linesSentAtASteadyRateArriveExactlyOnceInBlocksCutEveryBlockInterval() throws IOException {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> sent = lines("line-", 2000);
            serve(server, sent, 20, false); // 100 ticks of 20 lines: about two seconds

            ssc = systemClockContext(Durations.milliseconds(500));
            var out = new Collected();
            out.attach(ssc.socketTextStream(HOST, server.getLocalPort()));
            ssc.start();
            Await.until("all 2000 lines were processed", () -> out.count() >= sent.size(), Duration.ofSeconds(60));

            assertThat(out.allLines()).as("every line exactly once, in order").containsExactlyElementsOf(sent);
            assertThat(ssc.jobScheduler().completedBatches().stream().mapToLong(BatchInfo::numRecords).sum())
                    .isEqualTo(sent.size());

            long interval = SluiceConf.BLOCK_INTERVAL.defaultValue().toMillis();
            List<Long> blockTimes = new ArrayList<>();
            out.blocks.values().forEach(ids -> ids.forEach(id -> {
                assertThat(id).startsWith("input-0-");
                blockTimes.add(Long.parseLong(id.substring("input-0-".length())));
            }));
            assertThat(blockTimes).as("data sent over seconds is cut into several blocks").hasSizeGreaterThan(1);
            assertThat(blockTimes).as("block times are interval starts").allMatch(t -> t % interval == 0);
            for (int i = 1; i < blockTimes.size(); i++) {
                long gap = blockTimes.get(i) - blockTimes.get(i - 1);
                assertThat(gap).as("gap between blocks %d and %d", i - 1, i).isPositive();
                assertThat(gap % interval).isZero();
            }
            assertThat(ssc.receiverTracker().supervisor(0).receiver().storageLevel())
                    .isEqualTo(StorageLevel.MEMORY_AND_DISK_SER_2);

            ssc.stop(true, false);
            Await.until("the socket receiver thread ended on stop",
                    () -> Await.liveThreads("sluice-socket-receiver-").isEmpty());
        }
    }

    @Test
    void theReceiverReconnectsWhenTheServerClosesTheConnection() throws IOException {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> first = lines("first-", 100);
            List<String> second = lines("second-", 100);
            // Two connections one after the other: the first is closed by the server, the receiver must reconnect.
            serve(server, first, 50, true);
            ssc = systemClockContext(Durations.milliseconds(200),
                    SluiceConf.RECEIVER_RESTART_DELAY.name(), "20ms");
            var out = new Collected();
            out.attach(ssc.socketTextStream(HOST, server.getLocalPort(), StorageLevel.MEMORY_ONLY));
            ssc.start();
            Await.until("the first connection's lines were processed", () -> out.count() >= first.size());
            serve(server, second, 50, false);
            Await.until("the second connection's lines were processed",
                    () -> out.count() >= first.size() + second.size());

            var expected = new ArrayList<>(first);
            expected.addAll(second);
            assertThat(out.allLines()).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aRefusedConnectionIsRetriedAndReportedWithHostAndPort() throws IOException {
        int port;
        try (var probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        var errors = new CopyOnWriteArrayList<ReceiverInfo>();
        ssc = systemClockContext(Durations.milliseconds(200),
                SluiceConf.RECEIVER_RESTART_DELAY.name(), "20ms", SluiceConf.RECEIVER_MAX_RESTART_DELAY.name(), "100ms");
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onReceiverError(StreamingListenerEvent.ReceiverError e) {
                errors.add(e.receiverInfo());
            }
        });
        var out = new Collected();
        out.attach(ssc.socketTextStream(HOST, port));
        ssc.start();
        Await.until("the refused connection is reported", () -> errors.size() >= 2);
        assertThat(errors.get(0).lastErrorMessage()).startsWith("Error connecting to " + HOST + ":" + port);
        assertThat(errors.get(0).lastError()).contains("Connection refused");

        try (var server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            List<String> sent = lines("late-", 50);
            serve(server, sent, 50, false);
            Await.until("the lines of the server that came up late were processed", () -> out.count() >= sent.size());
            assertThat(out.allLines()).containsExactlyElementsOf(sent);
        }
    }

    @Test
    void retryDelayDoublesUpToTheBound() {
        Duration base = Duration.ofSeconds(2);
        Duration max = Duration.ofSeconds(30);
        assertThat(SocketReceiver.retryDelay(1, base, max)).isEqualTo(Duration.ofSeconds(2));
        assertThat(SocketReceiver.retryDelay(2, base, max)).isEqualTo(Duration.ofSeconds(4));
        assertThat(SocketReceiver.retryDelay(4, base, max)).isEqualTo(Duration.ofSeconds(16));
        assertThat(SocketReceiver.retryDelay(5, base, max)).isEqualTo(max);
        assertThat(SocketReceiver.retryDelay(1_000, base, max)).isEqualTo(max);
    }

    @Test
    void checkpointIntervalValidationNamesTheSocketStream() {
        var conf = new SluiceConf(false).setMaster("local[2]").setAppName("socket-checkpoint").set(SluiceConf.CLOCK, "manual");
        ssc = new StreamingContext(conf, Durations.seconds(1));
        DStream<String> lines = ssc.socketTextStream(HOST, 9);
        lines.checkpoint(Durations.milliseconds(300));
        lines.print();
        assertThatThrownBy(ssc::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("The checkpoint interval for SocketInputDStream has been set to 300 ms");
    }
}
