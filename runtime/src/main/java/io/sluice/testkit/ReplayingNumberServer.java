package io.sluice.testkit;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A test source serving the numbers {@code 0..total-1} to an {@link AckingNumberReceiver} over TCP, with
 * acknowledgements: a connection starts with the receiver's {@code HELLO <pid>}, then the server sends
 * {@code CHUNK <from> <n>} and n numbers and waits for {@code ACK <from> <n>} before it counts them as delivered and
 * sends the next chunk ({@code pace} later). A new connection (the receiver restarted, maybe elsewhere) replaces the
 * previous one and resumes from the first number not acknowledged, so numbers stored but never acknowledged are sent
 * again and numbers acknowledged never are. Once everything is acknowledged it sends {@code END}.
 *
 * <p>{@link #holdAt} stops sending at a chunk boundary once that many numbers are acknowledged, until
 * {@link #release}: then no chunk is in flight, which lets a test kill the receiver at a known point.
 *
 * <p>A receiver may name its connection after its pid ({@code HELLO <pid> <connection>}); the server then records
 * each chunk it sent and each it got acknowledged as a {@link Delivery} of that connection ({@link #sent()},
 * {@link #acknowledged()}), so that a test whose receiver tags its records with the connection can tell a chunk
 * stored twice because it was sent twice (not acknowledged the first time) from a block counted twice.
 */
public final class ReplayingNumberServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ReplayingNumberServer.class);
    private static final long WAIT_STEP_MS = 100;

    private final long total;
    private final int chunk;
    private final Duration pace;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Object lock = new Object();
    private long acked; // guarded by lock
    private long holdAt = Long.MAX_VALUE; // guarded by lock
    private int generation; // guarded by lock
    private Socket current; // guarded by lock
    private final List<Long> receiverPids = new ArrayList<>(); // guarded by lock
    private final List<Delivery> sent = new ArrayList<>(); // guarded by lock
    private final List<Delivery> acknowledged = new ArrayList<>(); // guarded by lock
    private volatile boolean closed;

    /**
     * The numbers {@code from .. from+count-1} sent once on the connection named {@code connection} (the name its
     * receiver said hello with, or {@code connection-<n>} for the n-th connection of a receiver that gave none).
     */
    public record Delivery(String connection, long from, int count) {
    }

    public ReplayingNumberServer(long total, int chunk, Duration pace) throws IOException {
        this.total = total;
        this.chunk = chunk;
        this.pace = pace;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "test-number-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** Stops sending once {@code offset} numbers are acknowledged, until {@link #release()}. */
    public void holdAt(long offset) {
        synchronized (lock) {
            holdAt = offset;
            lock.notifyAll();
        }
    }

    public void release() {
        holdAt(Long.MAX_VALUE);
    }

    public long acked() {
        synchronized (lock) {
            return acked;
        }
    }

    /** The pids the receiver's connections said they came from, in connection order. */
    public List<Long> receiverPids() {
        synchronized (lock) {
            return List.copyOf(receiverPids);
        }
    }

    /** Every chunk sent so far, in sending order. */
    public List<Delivery> sent() {
        synchronized (lock) {
            return List.copyOf(sent);
        }
    }

    /** Every chunk acknowledged so far, in order: together they cover {@code 0..acked()-1} exactly once. */
    public List<Delivery> acknowledged() {
        synchronized (lock) {
            return List.copyOf(acknowledged);
        }
    }

    /** Waits until at least {@code count} numbers are acknowledged; false if {@code timeout} passed first. */
    public boolean awaitAcked(long count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (acked < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Waits until a connection said hello from a pid not in {@code known}; returns it, or -1 after the timeout. */
    public long awaitNewReceiverPid(List<Long> known, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (long pid : receiverPids) {
                    if (!known.contains(pid)) {
                        return pid;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                int gen;
                synchronized (lock) {
                    if (current != null) {
                        current.close();
                    }
                    current = s;
                    gen = ++generation;
                }
                var handler = new Thread(() -> serve(s, gen), "test-number-server-conn-" + gen);
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Test number server: accept failed", e);
                }
            }
        }
    }

    private void serve(Socket socket, int gen) {
        try (socket;
             var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             var out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8))) {
            String hello = in.readLine();
            if (hello == null || !hello.startsWith("HELLO ")) {
                throw new IOException("expected HELLO, got " + hello);
            }
            String[] words = hello.substring(6).trim().split(" +");
            String connection = words.length > 1 ? words[1] : "connection-" + gen;
            synchronized (lock) {
                receiverPids.add(Long.parseLong(words[0]));
                lock.notifyAll();
            }
            LOG.info("Test number server: connection {} from {}", gen, hello);
            while (!closed) {
                long from;
                synchronized (lock) {
                    while (acked >= holdAt && generation == gen && !closed) {
                        lock.wait(WAIT_STEP_MS);
                    }
                    if (generation != gen) {
                        return; // replaced by a newer connection
                    }
                    from = acked;
                }
                if (from >= total) {
                    out.write("END\n");
                    out.flush();
                    in.readLine(); // until the receiver goes away
                    return;
                }
                int n = (int) Math.min(chunk, total - from);
                var sb = new StringBuilder("CHUNK ").append(from).append(' ').append(n).append('\n');
                for (long i = from; i < from + n; i++) {
                    sb.append(i).append('\n');
                }
                var delivery = new Delivery(connection, from, n);
                synchronized (lock) {
                    sent.add(delivery);
                }
                out.write(sb.toString());
                out.flush();
                String ack = in.readLine();
                if (ack == null) {
                    LOG.info("Test number server: connection {} closed with chunk {}+{} not acknowledged", gen, from, n);
                    return;
                }
                if (!ack.equals("ACK " + from + " " + n)) {
                    throw new IOException("expected ACK " + from + " " + n + ", got " + ack);
                }
                synchronized (lock) {
                    if (generation != gen) {
                        return;
                    }
                    acked = from + n;
                    acknowledged.add(delivery);
                    lock.notifyAll();
                }
                Thread.sleep(pace.toMillis()); // paces the source, so that the stream spans several batches
            }
        } catch (IOException e) {
            LOG.info("Test number server: connection {} ended: {}", gen, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (lock) {
            if (current != null) {
                current.close();
            }
            lock.notifyAll();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
