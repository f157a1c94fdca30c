package io.sluice.rpc;

/** Base of the transport's failures; the message always names the peer involved. */
public class RpcException extends RuntimeException {
    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
