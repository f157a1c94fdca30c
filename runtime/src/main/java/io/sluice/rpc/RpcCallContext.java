package io.sluice.rpc;

import java.net.SocketAddress;

/**
 * What an endpoint knows about the message it is handling.
 *
 * @param endpoint   the name the message was sent to
 * @param peer       the remote address of the connection it came on
 * @param connection a client on that same connection, to ask or notify the sender back (either side of a connection
 *                   can send requests)
 */
public record RpcCallContext(String endpoint, SocketAddress peer, RpcClient connection) {
}
