package io.sluice.rpc;

import java.util.concurrent.CompletionStage;

/**
 * Something that receives messages sent to a name (for example the driver's executor registry or an executor's
 * task launcher).
 *
 * <p>Threading: each endpoint receives its messages one at a time, in the order they arrived, on a dispatcher
 * thread (never an I/O thread), so an endpoint needs no locking for state only it touches. A handler that would
 * block for long should return a {@link CompletionStage} instead, which frees the endpoint for the next message.
 */
public interface RpcEndpoint {

    /**
     * Handles an ask. The return value is the reply; a {@link CompletionStage} replies when it completes. A thrown
     * exception (or a failed stage) reaches the asker as a {@link RemoteRpcException} with its class and message.
     */
    Object receive(RpcCallContext ctx, Object message) throws Exception;

    /**
     * Handles a message sent without expecting a reply. By default it is handled like an ask whose reply is
     * dropped; exceptions are logged with the peer, since nobody waits for them.
     */
    default void receiveOneWay(RpcCallContext ctx, Object message) throws Exception {
        receive(ctx, message);
    }
}
