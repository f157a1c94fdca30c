package io.sluice.itests.recovery;

import io.sluice.receiver.Receiver;
import io.sluice.storage.StorageLevel;
import io.sluice.testkit.ReplayingNumberServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.UUID;

/**
 * Reads numbers from a {@link ReplayingNumberServer} like {@code AckingNumberReceiver} (a chunk is stored as one
 * block with {@code store(List)} and acknowledged only once that returned), but names each connection it opens
 * ({@code HELLO <pid> <connection>}) and stores every number as {@code <number>@<connection>}. A number sent twice
 * (stored, but the acknowledgement died with its executor) then arrives as two distinct records, and the server's
 * {@link ReplayingNumberServer#acknowledged()} says which of them the source saw acknowledged.
 */
public final class TaggedNumberReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String host;
    private final int port;
    private transient volatile Socket socket;

    public TaggedNumberReceiver(String host, int port, StorageLevel level) {
        super(level);
        this.host = host;
        this.port = port;
    }

    /** The number and the connection a record stands for. */
    record Tagged(long number, String connection) {
        static Tagged parse(String record) {
            int at = record.indexOf('@');
            return new Tagged(Long.parseLong(record.substring(0, at)), record.substring(at + 1));
        }
    }

    @Override
    public void onStart() {
        var t = new Thread(this::receive, "test-tagged-number-receiver-" + streamId());
        t.setDaemon(true);
        t.start();
    }

    private void receive() {
        String connection = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        try (var s = new Socket()) {
            socket = s;
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write(("HELLO " + ProcessHandle.current().pid() + " " + connection + "\n").getBytes(StandardCharsets.UTF_8));
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
                var records = new ArrayList<String>(n);
                for (int i = 0; i < n; i++) {
                    String number = in.readLine();
                    if (number == null) {
                        throw new IOException("connection closed inside a chunk");
                    }
                    records.add(Long.parseLong(number) + "@" + connection);
                }
                store(records);
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
