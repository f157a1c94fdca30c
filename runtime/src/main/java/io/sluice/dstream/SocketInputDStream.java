package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.receiver.Receiver;
import io.sluice.storage.StorageLevel;
import java.util.Objects;

/** The lines of text a TCP server sends ({@code StreamingContext.socketTextStream}); see {@link SocketReceiver}. */
public final class SocketInputDStream extends ReceiverInputDStream<String> {
    private final String host;
    private final int port;
    private final StorageLevel storageLevel;

    public SocketInputDStream(StreamingContext ssc, String host, int port, StorageLevel storageLevel) {
        super(ssc, "socketTextStream");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("socketTextStream: port must be in 0..65535, got " + port);
        }
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.storageLevel = Objects.requireNonNull(storageLevel, "storageLevel");
    }

    @Override
    public Receiver<String> getReceiver() {
        return new SocketReceiver(host, port, storageLevel);
    }
}
