package io.sluice.rpc;

import java.net.SocketAddress;

/** The connection to {@link #peer()} closed while a request or stream on it was outstanding. */
public final class ConnectionClosedException extends RpcException {
    private final SocketAddress peer;

    public ConnectionClosedException(SocketAddress peer) {
        super("connection to " + peer + " closed");
        this.peer = peer;
    }

    public SocketAddress peer() {
        return peer;
    }
}
