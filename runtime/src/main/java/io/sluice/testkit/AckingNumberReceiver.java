package io.sluice.testkit;

import io.sluice.receiver.Receiver;
import io.sluice.storage.StorageLevel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads numbers from a {@link ReplayingNumberServer}: each chunk is stored as one block with {@link #store(List)},
 * which returns once the block is stored (and replicated, and reported to the driver), and only then acknowledged.
 * Any connection error or failed store restarts the receiver, which reconnects and gets what was not acknowledged
 * again. Runs in whatever process the receiver is placed in; says hello with that process's pid.
 */
public final class AckingNumberReceiver extends Receiver<Long> {
    private static final long serialVersionUID = 1L;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String host;
    private final int port;
    private final boolean singleRecords;
    private transient volatile Socket socket;

    public AckingNumberReceiver(String host, int port, StorageLevel level) {
        this(host, port, level, false);
    }

    /**
     * @param singleRecords store each number with {@link #store(Object)} (through the block generator) and acknowledge
     *                      a chunk once it was handed over, not once stored: no replay guarantee, for tests of the
     *                      block generator's path (e.g. a graceful stop pushing what it still buffers)
     */
    public AckingNumberReceiver(String host, int port, StorageLevel level, boolean singleRecords) {
        super(level);
        this.host = host;
        this.port = port;
        this.singleRecords = singleRecords;
    }

    @Override
    public void onStart() {
        var t = new Thread(this::receive, "test-number-receiver-" + streamId());
        t.setDaemon(true);
        t.start();
    }

    private void receive() {
        try (var s = new Socket()) {
            socket = s;
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write(("HELLO " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line;
            while (!isStopped() && (line = in.readLine()) != null) {
                if (line.equals("END")) {
                    continue;
                }
                String[] header = line.split(" ");
                if (header.length != 3 || !header[0].equals("CHUNK")) {
                    throw new IOException("unexpected line " + line);
                }
                int n = Integer.parseInt(header[2]);
                var numbers = new ArrayList<Long>(n);
                for (int i = 0; i < n; i++) {
                    String number = in.readLine();
                    if (number == null) {
                        throw new IOException("connection closed inside a chunk");
                    }
                    numbers.add(Long.parseLong(number));
                }
                if (singleRecords) {
                    numbers.forEach(this::store);
                } else {
                    store(numbers);
                }
                out.write(("ACK " + header[1] + " " + n + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (!isStopped()) {
                restart("the number server closed the connection");
            }
        } catch (IOException | RuntimeException e) {
            if (!isStopped()) {
                restart("receiving numbers failed", e);
            }
        }
    }

    @Override
    public void onStop() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing only to end the reading thread
            }
        }
    }
}
