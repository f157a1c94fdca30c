package io.sluice.rpc;

import io.sluice.serde.Serializer;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Routes the requests, one-way messages and stream requests a process receives, on any of its connections (server
 * or client side), to the endpoint registered under the message's name, and sends back replies and failures.
 *
 * <p>Threading: called on I/O threads; endpoints run on the dispatcher pool, each endpoint serially (see
 * {@link RpcEndpoint}). Registration is thread-safe. Payloads are deserialized on the dispatcher pool, not the I/O
 * thread.
 */
public final class InboundDispatcher {
    private static final Logger LOG = LogManager.getLogger(InboundDispatcher.class);

    private record Registered(RpcEndpoint endpoint, EndpointMailbox mailbox) {
    }

    private final Map<String, Registered> endpoints = new ConcurrentHashMap<>();
    private final Serializer serializer;
    private final ExecutorService pool;
    private volatile StreamProvider streamProvider;

    InboundDispatcher(Serializer serializer, ExecutorService pool) {
        this.serializer = serializer;
        this.pool = pool;
    }

    /** Makes {@code endpoint} reachable as {@code name} on every connection of this process. */
    public void registerEndpoint(String name, RpcEndpoint endpoint) {
        if (endpoints.putIfAbsent(name, new Registered(endpoint, new EndpointMailbox(pool))) != null) {
            throw new IllegalArgumentException("an RPC endpoint named '" + name + "' is already registered");
        }
    }

    /** Messages to {@code name} fail with {@link UnknownEndpointException} from now on; true if it was registered. */
    public boolean unregisterEndpoint(String name) {
        return endpoints.remove(name) != null;
    }

    /** Serves the streams peers ask for; replaces the previous provider. */
    public void setStreamProvider(StreamProvider provider) {
        this.streamProvider = provider;
    }

    void onRequest(RpcChannelHandler conn, Message.RpcRequest request) {
        Registered target = endpoints.get(request.endpoint());
        if (target == null) {
            replyFailure(conn, request.requestId(), unknownEndpoint(conn, request.endpoint()));
            return;
        }
        submit(conn, target.mailbox(), () -> {
            Object reply;
            try {
                Object message = serializer.deserialize(request.payload());
                reply = target.endpoint().receive(context(conn, request.endpoint()), message);
            } catch (Exception | LinkageError | AssertionError e) {
                replyFailure(conn, request.requestId(), e);
                return;
            }
            if (reply instanceof CompletionStage<?> stage) {
                stage.whenComplete((value, error) -> {
                    if (error != null) {
                        replyFailure(conn, request.requestId(), unwrap(error));
                    } else {
                        reply(conn, request, value);
                    }
                });
            } else {
                reply(conn, request, reply);
            }
        });
    }

    void onOneWay(RpcChannelHandler conn, Message.OneWay message) {
        Registered target = endpoints.get(message.endpoint());
        if (target == null) {
            LOG.warn("Dropping a one-way message from {}: {}", conn.peer(),
                    unknownEndpoint(conn, message.endpoint()).getMessage());
            return;
        }
        submit(conn, target.mailbox(), () -> {
            try {
                Object payload = serializer.deserialize(message.payload());
                target.endpoint().receiveOneWay(context(conn, message.endpoint()), payload);
            } catch (Exception | LinkageError | AssertionError e) {
                LOG.warn("Endpoint '{}' failed on a one-way message from {}", message.endpoint(), conn.peer(), e);
            }
        });
    }

    void onStreamRequest(RpcChannelHandler conn, Message.StreamRequest request) {
        // opening and reading may touch the disk: the stream does both on the pool, never on the I/O thread
        conn.startStream(request.requestId(), request.streamId(), streamProvider, pool);
    }

    private void submit(RpcChannelHandler conn, Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // only while the transport shuts down; the connection is about to close and fail its peer's requests
            LOG.debug("Dropping a message from {}: the dispatcher is shut down", conn.peer());
        }
    }

    private void reply(RpcChannelHandler conn, Message.RpcRequest request, Object value) {
        byte[] body;
        try {
            body = serializer.serialize(value);
        } catch (RuntimeException e) {
            replyFailure(conn, request.requestId(), e);
            return;
        }
        conn.write(new Message.RpcResponse(request.requestId(), body)).addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("Cannot send the reply of endpoint '{}' to {}", request.endpoint(), conn.peer(), f.cause());
                if (conn.isActive()) {
                    // e.g. the reply exceeds the frame limit: the asker should hear why rather than time out
                    replyFailure(conn, request.requestId(), f.cause());
                }
            }
        });
    }

    private static void replyFailure(RpcChannelHandler conn, long requestId, Throwable error) {
        LOG.debug("Request {} from {} failed", requestId, conn.peer(), error);
        conn.write(new Message.RpcFailure(requestId, error.getClass().getName(), error.getMessage()));
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private UnknownEndpointException unknownEndpoint(RpcChannelHandler conn, String name) {
        return new UnknownEndpointException("no RPC endpoint named '" + name + "' at " + conn.localAddress()
                + "; registered: " + new TreeSet<>(endpoints.keySet()));
    }

    private static RpcCallContext context(RpcChannelHandler conn, String endpoint) {
        return new RpcCallContext(endpoint, conn.peer(), conn.client());
    }
}
