package io.sluice.dstream;

import io.sluice.receiver.Receiver;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.storage.StorageLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Connects to {@code host:port}, reads UTF-8 lines and stores each line as a record. When the connection is
 * refused, lost or closed by the server, it asks to be restarted; the delay doubles with each consecutive failure,
 * from {@code sluice.streaming.receiver.restartDelay} up to {@code sluice.streaming.receiver.maxRestartDelay}, and
 * resets once a connection succeeds.
 */
public final class SocketReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LogManager.getLogger(SocketReceiver.class);
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String host;
    private final int port;
    private transient volatile Socket socket;
    private volatile int consecutiveFailures;

    public SocketReceiver(String host, int port, StorageLevel storageLevel) {
        super(storageLevel);
        this.host = host;
        this.port = port;
    }

    @Override
    public void onStart() {
        var t = new Thread(this::receive, "sluice-socket-receiver-" + streamId() + "-" + host + ":" + port);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void onStop() {
        closeSocket(socket);
        socket = null;
    }

    private void receive() {
        Socket s = new Socket();
        try {
            socket = s;
            if (isStopped()) {
                return;
            }
            LOG.info("Stream {}: connecting to {}:{}", streamId(), host, port);
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            consecutiveFailures = 0;
            LOG.info("Stream {}: connected to {}:{}", streamId(), host, port);
            var reader = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while (!isStopped() && (line = reader.readLine()) != null) {
                store(line);
            }
            if (!isStopped()) {
                restartAfterFailure("Socket data stream had no more data from " + host + ":" + port
                        + " (the server closed the connection)", null);
            }
        } catch (ConnectException e) {
            if (!isStopped()) {
                restartAfterFailure("Error connecting to " + host + ":" + port, e);
            }
        } catch (IOException | RuntimeException e) {
            if (!isStopped()) {
                restartAfterFailure("Error receiving data from " + host + ":" + port, e);
            } else {
                LOG.debug("Stream {}: receiving from {}:{} ended on stop: {}", streamId(), host, port, e.toString());
            }
        } finally {
            closeSocket(s);
        }
    }

    private void restartAfterFailure(String message, Throwable error) {
        int failures = ++consecutiveFailures;
        ReceiverSupervisor.Settings settings = supervisor().settings();
        Duration delay = retryDelay(failures, settings.restartDelay(), settings.maxRestartDelay());
        restart(message + " (consecutive failure " + failures + ")", error, delay);
    }

    /** The delay before retry {@code failures} (1-based): base × 2^(failures−1), at most {@code max}. */
    static Duration retryDelay(int failures, Duration base, Duration max) {
        int shift = Math.min(Math.max(failures - 1, 0), 30);
        long ms = base.toMillis() << shift;
        return ms < 0 || ms > max.toMillis() ? max : Duration.ofMillis(ms);
    }

    private static void closeSocket(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("Error closing socket", e);
            }
        }
    }

    @Override
    public String toString() {
        return "SocketReceiver[" + host + ":" + port + "]";
    }
}
