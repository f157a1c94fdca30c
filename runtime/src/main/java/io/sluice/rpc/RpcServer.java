package io.sluice.rpc;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Accepts RPC connections on one address. Endpoints and the stream provider are registered with the transport's
 * {@link InboundDispatcher}, so they are reachable on accepted connections and on the process's outgoing ones alike.
 *
 * <p>Lifecycle: created bound by {@link TransportContext#startServer}; {@link #close} stops accepting and closes
 * every accepted connection (their peers' asks fail with {@link ConnectionClosedException}); it is idempotent.
 * Thread-safe.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(RpcServer.class);

    private final InboundDispatcher dispatcher;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final InetSocketAddress address;
    private final Duration closeTimeout;
    private final AtomicBoolean closed = new AtomicBoolean();

    RpcServer(RpcPipeline.Shared shared, EventLoopGroup group, String host, int port) {
        this.dispatcher = shared.dispatcher();
        this.closeTimeout = shared.settings().connectTimeout();
        this.connections = new DefaultChannelGroup("sluice-rpc-server", group.next());
        var bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                // a restarted server must get its port back although old connections linger in TIME_WAIT
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        RpcPipeline.init(ch, shared);
                    }
                });
        ChannelFuture bind = bootstrap.bind(host, port);
        if (!bind.awaitUninterruptibly(closeTimeout.toMillis())) {
            bind.cancel(false);
            throw new RpcException("binding the RPC server to " + host + ":" + port + " took longer than "
                    + closeTimeout.toMillis() + " ms");
        }
        if (!bind.isSuccess()) {
            throw new RpcException("cannot bind the RPC server to " + host + ":" + port + ": " + bind.cause(), bind.cause());
        }
        this.serverChannel = bind.channel();
        this.address = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("RPC server listening on {}", address);
    }

    /** The bound address (with the real port when bound to port 0). */
    public InetSocketAddress address() {
        return address;
    }

    /** Shorthand for {@link InboundDispatcher#registerEndpoint}. */
    public void registerEndpoint(String name, RpcEndpoint endpoint) {
        dispatcher.registerEndpoint(name, endpoint);
    }

    /** Shorthand for {@link InboundDispatcher#setStreamProvider}. */
    public void setStreamProvider(StreamProvider provider) {
        dispatcher.setStreamProvider(provider);
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean done = serverChannel.close().awaitUninterruptibly(closeTimeout.toMillis())
                & connections.close().awaitUninterruptibly(closeTimeout.toMillis());
        if (done) {
            LOG.info("RPC server on {} closed", address);
        } else {
            LOG.warn("RPC server on {} did not close its connections within {} ms", address, closeTimeout.toMillis());
        }
    }
}
