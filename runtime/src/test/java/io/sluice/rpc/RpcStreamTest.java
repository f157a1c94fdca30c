package io.sluice.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams (blocks, files) between two transports over 127.0.0.1. */
class RpcStreamTest {
    private static final long WAIT_S = 20;
    private static final int CHUNK = 64 * 1024;
    private static final long BIG = 50L * 1024 * 1024;

    private TransportContext serverSide;
    private TransportContext clientSide;
    private RpcServer server;
    private RpcClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void start() {
        SluiceConf conf = RpcLoopbackTest.conf().set(SluiceConf.RPC_STREAM_CHUNK_BYTES, CHUNK);
        serverSide = new TransportContext(conf);
        clientSide = new TransportContext(conf);
        server = serverSide.startServer("127.0.0.1", 0);
        client = clientSide.clientFactory().client(server.address());
    }

    @AfterEach
    void stop() {
        clientSide.close();
        serverSide.close();
    }

    /**
     * A source of {@code size} pseudo-random bytes generated on demand (so the test itself holds no 50 MiB array),
     * counting what the transport has read and noticing when it is closed.
     */
    static final class GeneratedSource implements ReadableByteChannel {
        private final Random random;
        private final long size;
        final AtomicLong read = new AtomicLong();
        final CountDownLatch closed = new CountDownLatch(1);
        private final byte[] scratch = new byte[8192];

        GeneratedSource(long seed, long size) {
            this.random = new Random(seed);
            this.size = size;
        }

        @Override
        public int read(ByteBuffer dst) {
            long left = size - read.get();
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(left, dst.remaining()), scratch.length);
            random.nextBytes(scratch);
            dst.put(scratch, 0, n);
            read.addAndGet(n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return closed.getCount() > 0;
        }

        @Override
        public void close() {
            closed.countDown();
        }

        /** The CRC of what a fresh source with this seed produces, computed without the transport. */
        static long expectedCrc(long seed, long size) {
            var src = new GeneratedSource(seed, size);
            var crc = new CRC32();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (src.read(buf.clear()) > 0) {
                crc.update(buf.flip());
            }
            return crc.getValue();
        }
    }

    /** A sink that checksums and measures what it receives, and how far the sender's reading ran ahead of it. */
    static final class MeasuringSink implements StreamSink {
        private final GeneratedSource source;
        final CRC32 crc = new CRC32();
        long received;
        int chunks;
        int largestChunk;
        long largestReadAhead;
        final AtomicReference<Object> end = new AtomicReference<>();

        MeasuringSink(GeneratedSource source) {
            this.source = source;
        }

        @Override
        public void onChunk(ByteBuffer chunk) {
            int n = chunk.remaining();
            largestChunk = Math.max(largestChunk, n);
            chunks++;
            crc.update(chunk);
            received += n;
            largestReadAhead = Math.max(largestReadAhead, source.read.get() - received);
        }

        @Override
        public void onComplete(long totalBytes) {
            end.set(totalBytes);
        }

        @Override
        public void onFailure(Throwable cause) {
            end.set(cause);
        }
    }

    @Test
    void fiftyMebibyteStreamArrivesInBoundedChunksWithItsContentIntact() throws Exception {
        var source = new GeneratedSource(42, BIG);
        server.setStreamProvider(id -> {
            assertThat(id).isEqualTo("block_rdd_3_7");
            return source;
        });
        var sink = new MeasuringSink(source);
        long bytes = client.openStream("block_rdd_3_7", sink).get(WAIT_S, TimeUnit.SECONDS);

        assertThat(bytes).isEqualTo(BIG);
        assertThat(sink.received).isEqualTo(BIG);
        assertThat(sink.end.get()).isEqualTo(BIG);
        assertThat(sink.crc.getValue()).isEqualTo(GeneratedSource.expectedCrc(42, BIG));
        assertThat(sink.largestChunk).isLessThanOrEqualTo(CHUNK);
        assertThat(sink.chunks).isGreaterThanOrEqualTo((int) (BIG / CHUNK));
        // The sender reads only while the connection takes data: what it read ahead of the receiver is bounded by
        // the write-buffer high water mark plus a chunk plus the kernel's socket buffers (Linux caps those at a few
        // MiB), never the whole block; an eager sender would be ~50 MiB ahead by the first chunk.
        assertThat(sink.largestReadAhead).isLessThan(16L * 1024 * 1024);
        assertThat(source.closed.await(WAIT_S, TimeUnit.SECONDS)).as("source closed after the end").isTrue();
    }

    @Test
    void fileStreamIsWrittenToAFileSink(@TempDir Path target) throws Exception {
        Path file = dir.resolve("shuffle_0_1_2.data");
        byte[] content = new byte[3 * CHUNK + 17];
        new Random(7).nextBytes(content);
        Files.write(file, content);
        server.setStreamProvider(id -> FileChannel.open(dir.resolve(id)));

        Path copy = target.resolve("fetched.data");
        long bytes = client.openStream("shuffle_0_1_2.data", StreamSink.toFile(copy)).get(WAIT_S, TimeUnit.SECONDS);
        assertThat(bytes).isEqualTo(content.length);
        assertThat(Files.mismatch(file, copy)).isEqualTo(-1L);

        // an empty file is a stream with no chunks
        Files.write(dir.resolve("empty"), new byte[0]);
        assertThat(client.openStream("empty", StreamSink.toFile(target.resolve("empty"))).get(WAIT_S, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void streamThatCannotBeOpenedFailsWithTheProvidersException(@TempDir Path target) throws Exception {
        server.setStreamProvider(id -> FileChannel.open(dir.resolve(id)));
        Path partial = target.resolve("missing.data");
        var sinkFailure = new AtomicReference<Throwable>();
        StreamSink fileSink = StreamSink.toFile(partial);
        StreamSink sink = new StreamSink() {
            @Override
            public void onChunk(ByteBuffer chunk) throws IOException {
                fileSink.onChunk(chunk);
            }

            @Override
            public void onFailure(Throwable cause) {
                sinkFailure.set(cause);
                fileSink.onFailure(cause);
            }
        };
        CompletableFuture<Long> f = client.openStream("missing.data", sink);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(WAIT_S, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RemoteRpcException.class);
        var remote = (RemoteRpcException) e.getCause();
        assertThat(remote.remoteClassName()).isEqualTo(NoSuchFileException.class.getName());
        assertThat(remote.remoteMessage()).contains("missing.data");
        assertThat(sinkFailure.get()).isSameAs(remote);
        assertThat(partial).as("the file sink deletes its partial file").doesNotExist();
    }

    @Test
    void failingSinkCancelsTheStreamAndTheSenderClosesItsSource() throws Exception {
        var source = new GeneratedSource(1, BIG);
        server.setStreamProvider(id -> source);
        StreamSink sink = new StreamSink() {
            int chunks;

            @Override
            public void onChunk(ByteBuffer chunk) throws IOException {
                if (++chunks == 3) {
                    throw new IOException("disk full");
                }
            }
        };
        CompletableFuture<Long> f = client.openStream("anything", sink);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(WAIT_S, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(RpcException.class)
                .hasMessageContaining("sink of stream 'anything'")
                .hasMessageContaining("disk full");
        // STREAM_CANCEL reached the sender, which stopped reading long before the end
        assertThat(source.closed.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(source.read.get()).isLessThan(BIG);
        // and the connection is still good for asks
        server.registerEndpoint("echo", (ctx, m) -> m);
        assertThat(client.<String>ask("echo", "ok").get(WAIT_S, TimeUnit.SECONDS)).isEqualTo("ok");
    }

    @Test
    void cancellingTheFutureStopsTheSenderAndTellsTheSink() throws Exception {
        var source = new GeneratedSource(2, BIG);
        server.setStreamProvider(id -> source);
        var firstChunk = new CountDownLatch(1);
        var sinkFailure = new CompletableFuture<Throwable>();
        StreamSink sink = new StreamSink() {
            @Override
            public void onChunk(ByteBuffer chunk) {
                firstChunk.countDown();
            }

            @Override
            public void onFailure(Throwable cause) {
                sinkFailure.complete(cause);
            }
        };
        CompletableFuture<Long> f = client.openStream("s", sink);
        assertThat(firstChunk.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(sinkFailure.get(WAIT_S, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(source.closed.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        assertThat(source.read.get()).isLessThan(BIG);
    }

    @Test
    void closingTheServerMidStreamFailsTheStreamWithConnectionClosed() throws Exception {
        var source = new GeneratedSource(3, BIG);
        server.setStreamProvider(id -> source);
        var firstChunk = new CountDownLatch(1);
        StreamSink sink = new StreamSink() {
            @Override
            public void onChunk(ByteBuffer chunk) throws IOException {
                firstChunk.countDown();
            }
        };
        CompletableFuture<Long> f = client.openStream("s", sink);
        assertThat(firstChunk.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        server.close();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(WAIT_S, TimeUnit.SECONDS));
        assertThat(e.getCause()).isInstanceOf(ConnectionClosedException.class);
        assertThat(source.closed.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
    }
}
