package io.sluice.rpc;

/** Thrown on the receiving side for a message to an endpoint name nobody registered; reaches the asker as text. */
public final class UnknownEndpointException extends RpcException {
    public UnknownEndpointException(String message) {
        super(message);
    }
}
