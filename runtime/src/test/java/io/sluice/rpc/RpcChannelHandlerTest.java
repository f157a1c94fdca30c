package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import io.sluice.serde.Serializer;
import io.sluice.util.NamedThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection handler on an EmbeddedChannel (no codec, no socket): messages in, messages out. */
class RpcChannelHandlerTest {
    private final SluiceConf conf = new SluiceConf(false);
    private final Serializer serializer = new KryoSerializer(conf);
    private ExecutorService pool;
    private RpcChannelHandler handler;
    private EmbeddedChannel ch;

    @BeforeEach
    void setUp() {
        pool = Executors.newSingleThreadExecutor(new NamedThreadFactory("test-dispatch", true));
        handler = new RpcChannelHandler(RpcSettings.from(conf), serializer, new InboundDispatcher(serializer, pool));
        ch = new EmbeddedChannel(handler);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        ch.finishAndReleaseAll();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The exception a future already failed with (EmbeddedChannel runs everything on the test thread). */
    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = f.handle((v, e) -> e).join();
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private Message.RpcRequest ask(CompletableFuture<?>[] out, String endpoint) {
        out[0] = handler.client().ask(endpoint, "question", Duration.ofMinutes(1));
        return ch.readOutbound();
    }

    @Test
    void replyAndFailureCompleteTheMatchingAsk() throws Exception {
        var first = new CompletableFuture<?>[1];
        var second = new CompletableFuture<?>[1];
        Message.RpcRequest r1 = ask(first, "a");
        Message.RpcRequest r2 = ask(second, "b");
        assertThat(r1.requestId()).isNotEqualTo(r2.requestId());
        assertThat(r1.endpoint()).isEqualTo("a");
        assertThat((String) serializer.deserialize(r1.payload())).isEqualTo("question");

        // answers in the other order, plus one for a request nobody waits for
        ch.writeInbound(new Message.RpcResponse(12345, serializer.serialize("stray")));
        ch.writeInbound(new Message.RpcFailure(r2.requestId(), "java.lang.ArithmeticException", "/ by zero"));
        ch.writeInbound(new Message.RpcResponse(r1.requestId(), serializer.serialize("answer")));

        assertThat(first[0].get(1, TimeUnit.SECONDS)).isEqualTo("answer");
        assertThat(failure(second[0])).isInstanceOf(RemoteRpcException.class)
                .hasMessageContaining("java.lang.ArithmeticException: / by zero");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void idleConnectionIsClosedOnlyWhileAsksAreOutstanding() {
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).as("nothing outstanding: an idle connection is fine").isTrue();

        var pending = new CompletableFuture<?>[1];
        ask(pending, "slow");
        ch.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        assertThat(ch.isOpen()).as("an ask outstanding: the peer is presumed dead").isFalse();
        assertThat(pending[0]).isCompletedExceptionally();
        assertThat(failure(pending[0])).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void closingTheChannelFailsAsksAndStreamsWithConnectionClosed() {
        var ask = new CompletableFuture<?>[1];
        ask(ask, "x");
        var sinkFailure = new CompletableFuture<Throwable>();
        CompletableFuture<Long> stream = handler.client().openStream("block", new StreamSink() {
            @Override
            public void onChunk(java.nio.ByteBuffer chunk) {
            }

            @Override
            public void onFailure(Throwable cause) {
                sinkFailure.complete(cause);
            }
        });
        ch.close();
        assertThat(failure(ask[0])).isInstanceOf(ConnectionClosedException.class);
        assertThat(failure(stream)).isInstanceOf(ConnectionClosedException.class);
        assertThat(sinkFailure.getNow(null)).isSameAs(failure(stream));
    }

    @Test
    void chunksReachTheSinkInOrderAndEndChecksTheTotal() {
        var received = new StringBuilder();
        CompletableFuture<Long> stream = handler.client().openStream("s", chunk -> {
            byte[] b = new byte[chunk.remaining()];
            chunk.get(b);
            received.append(new String(b, java.nio.charset.StandardCharsets.UTF_8));
        });
        Message.StreamRequest req = ch.readOutbound();
        assertThat(req.streamId()).isEqualTo("s");
        var c1 = io.netty.buffer.Unpooled.copiedBuffer("hello ", java.nio.charset.StandardCharsets.UTF_8);
        var c2 = io.netty.buffer.Unpooled.copiedBuffer("world", java.nio.charset.StandardCharsets.UTF_8);
        ch.writeInbound(new Message.StreamChunk(req.requestId(), c1));
        ch.writeInbound(new Message.StreamChunk(req.requestId(), c2));
        assertThat(c1.refCnt()).as("released after the sink ran").isZero();
        assertThat(stream).isNotDone();
        ch.writeInbound(new Message.StreamEnd(req.requestId(), 11));
        assertThat(stream.getNow(-1L)).isEqualTo(11L);
        assertThat(received.toString()).isEqualTo("hello world");

        // a sender claiming more than arrived fails the stream
        CompletableFuture<Long> short1 = handler.client().openStream("t", chunk -> { });
        Message.StreamRequest req2 = ch.readOutbound();
        ch.writeInbound(new Message.StreamChunk(req2.requestId(),
                io.netty.buffer.Unpooled.copiedBuffer("abc", java.nio.charset.StandardCharsets.UTF_8)));
        ch.writeInbound(new Message.StreamEnd(req2.requestId(), 4));
        assertThat(failure(short1)).isInstanceOf(RpcException.class)
                .hasMessageContaining("ended after 3 bytes received, but the sender sent 4");
    }
}
