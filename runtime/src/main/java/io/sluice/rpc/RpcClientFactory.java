package io.sluice.rpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Opens and reuses outgoing connections: one connection per remote address, shared by every caller. A connection
 * that closed is forgotten, so the next call for that address connects again (for example after the peer
 * restarted).
 *
 * <p>Threading: thread-safe. {@link #client} blocks (up to the connect timeout) and must not be called on an I/O
 * thread; {@link #clientAsync} never blocks.
 */
public final class RpcClientFactory implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(RpcClientFactory.class);

    private final RpcSettings settings;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, CompletableFuture<RpcClient>> connections = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    RpcClientFactory(RpcPipeline.Shared shared, EventLoopGroup group) {
        this.settings = shared.settings();
        this.group = group;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        RpcPipeline.init(ch, shared);
                    }
                });
    }

    /** The open connection to {@code remote}, connecting first if there is none; fails with {@link RpcException}. */
    public CompletableFuture<RpcClient> clientAsync(InetSocketAddress remote) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("RPC client factory is closed"));
        }
        var created = new CompletableFuture<RpcClient>();
        CompletableFuture<RpcClient> current = connections.compute(remote, (addr, existing) ->
                existing != null && (!existing.isDone()
                        || (!existing.isCompletedExceptionally() && existing.join().isActive())) ? existing : created);
        if (current == created) {
            // connect outside compute(): Netty may run our listeners on this thread, and they update the map
            connect(remote, created);
        }
        return current;
    }

    /**
     * Blocking form of {@link #clientAsync}: waits at most {@code sluice.rpc.connectTimeout}.
     *
     * @throws RpcException when the connection cannot be opened in time
     */
    public RpcClient client(InetSocketAddress remote) {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                throw new IllegalStateException("blocking connect to " + remote + " on an RPC I/O thread would deadlock; use clientAsync");
            }
        }
        long timeoutMs = settings.connectTimeout().toMillis();
        try {
            // the connect itself times out after connectTimeout; the margin only covers scheduling
            return clientAsync(remote).get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RpcException r ? r : new RpcException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new RpcException("no connection to " + remote + " within " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException("interrupted while connecting to " + remote, e);
        }
    }

    private void connect(InetSocketAddress remote, CompletableFuture<RpcClient> result) {
        LOG.debug("Connecting to {}", remote);
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect(remote);
        } catch (RuntimeException e) {
            // e.g. the event loops are already shut down
            result.completeExceptionally(new RpcException("cannot connect to " + remote + ": " + e, e));
            return;
        }
        connecting.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                result.completeExceptionally(new RpcException("cannot connect to " + remote + " (timeout "
                        + settings.connectTimeout().toMillis() + " ms): " + cf.cause(), cf.cause()));
                return;
            }
            Channel ch = cf.channel();
            // forget the connection once it closes, so that the next use reconnects
            ch.closeFuture().addListener(f -> connections.remove(remote, result));
            if (closed.get()) {
                ch.close(); // the factory closed while we were connecting
                result.completeExceptionally(new IllegalStateException("RPC client factory is closed"));
                return;
            }
            result.complete(ch.pipeline().get(RpcChannelHandler.class).client());
        });
    }

    /** Closes every connection; outstanding asks fail with {@link ConnectionClosedException}. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (CompletableFuture<RpcClient> f : connections.values()) {
            f.thenAccept(RpcClient::close);
        }
        connections.clear();
    }
}
