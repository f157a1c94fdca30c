package io.sluice.rpc;

import java.net.SocketAddress;

/**
 * The remote endpoint (or stream provider) threw. The remote exception's class name and message travel as text, so
 * this works whether or not the class exists here; {@link #remoteClassName()} and {@link #remoteMessage()} give them.
 */
public final class RemoteRpcException extends RpcException {
    private final String remoteClassName;
    private final String remoteMessage;

    public RemoteRpcException(SocketAddress peer, String remoteClassName, String remoteMessage) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage) + " (remote, at " + peer + ")");
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
    }

    public String remoteClassName() {
        return remoteClassName;
    }

    /** The remote exception's message; null when it had none. */
    public String remoteMessage() {
        return remoteMessage;
    }
}
