package io.sluice.rpc;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.conf.SluiceConf;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The asks one connection sent and still waits for: request id → future, each with its own timeout. An entry
 * leaves the map however its future ends (reply, failure, timeout, cancellation by the caller, connection loss).
 *
 * <p>Threading: {@link #register} is called by asking threads, the rest on the connection's I/O thread; timeouts
 * run on that I/O thread too. Futures therefore complete on the I/O thread: dependent stages must not block.
 */
final class PendingResponses {
    private static final Logger LOG = LogManager.getLogger(PendingResponses.class);

    private final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final Supplier<SocketAddress> peer;
    private final EventLoop timer;

    PendingResponses(Supplier<SocketAddress> peer, EventLoop timer) {
        this.peer = peer;
        this.timer = timer;
    }

    /** A future for request {@code requestId} that fails with {@link RpcTimeoutException} after {@code timeout}. */
    CompletableFuture<Object> register(long requestId, String endpoint, Duration timeout) {
        var future = new CompletableFuture<Object>();
        pending.put(requestId, future);
        ScheduledFuture<?> expiry;
        try {
            expiry = timer.schedule(() -> future.completeExceptionally(new RpcTimeoutException(
                    "ask " + requestId + " to endpoint '" + endpoint + "' at " + peer.get() + " got no reply within "
                            + timeout.toMillis() + " ms (the ask's timeout; default " + SluiceConf.RPC_ASK_TIMEOUT.name() + ")")),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the event loop is gone, so is the connection
            pending.remove(requestId, future);
            future.completeExceptionally(new ConnectionClosedException(peer.get()));
            return future;
        }
        future.whenComplete((v, e) -> {
            pending.remove(requestId, future);
            expiry.cancel(false);
        });
        return future;
    }

    void complete(long requestId, Object reply) {
        CompletableFuture<Object> f = pending.get(requestId);
        if (f == null) {
            LOG.debug("Reply from {} to request {} that is no longer waited for (timed out or cancelled)", peer.get(), requestId);
            return;
        }
        f.complete(reply);
    }

    void fail(long requestId, Throwable cause) {
        CompletableFuture<Object> f = pending.get(requestId);
        if (f == null) {
            LOG.debug("Failure from {} for request {} that is no longer waited for: {}", peer.get(), requestId, cause.toString());
            return;
        }
        f.completeExceptionally(cause);
    }

    void failAll(Throwable cause) {
        for (var f : pending.values()) {
            f.completeExceptionally(cause);
        }
    }

    int size() {
        return pending.size();
    }
}
