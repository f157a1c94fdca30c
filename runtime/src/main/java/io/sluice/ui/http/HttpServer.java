package io.sluice.ui.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.util.NamedThreadFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's HTTP/1.1 server (REST API, metrics, later the UI pages): GET routes from a {@link Router}, JSON
 * errors, keep-alive.
 *
 * <pre>{@code
 * var router = new Router().get("/api/v1/applications", req -> Response.json(apps));
 * var server = HttpServer.start(settings, router);   // bound; tries port, port+1, ... when taken
 * server.url();                                      // http://<advertised host>:<bound port>
 * server.close();                                    // stops accepting, closes connections, stops its threads
 * }</pre>
 *
 * <p>Owns its event loops (one acceptor thread {@code sluice-ui-accept-*}, {@code ioThreads} I/O threads
 * {@code sluice-ui-io-*}); handlers run on the I/O threads and must not block. {@link #close} is idempotent and
 * waits at most {@code closeTimeout} for each step. Thread-safe.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(HttpServer.class);

    /**
     * How to bind: {@code port} 0 picks a free port; otherwise {@code port}, {@code port + 1}, ... are tried, at most
     * {@code maxRetries} more after the first. {@code advertisedHost} is the host named in {@link #url()}; {@code owner}
     * (the application id) prefixes every log line.
     */
    public record Settings(String owner, String name, String bindHost, String advertisedHost, int port, int maxRetries,
                           int ioThreads, int maxRequestBytes, Duration closeTimeout) {
        public Settings {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
            }
        }
    }

    private final Settings settings;
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup connections;
    private final Channel serverChannel;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpServer(Settings settings, Router router) {
        this.settings = settings;
        this.acceptGroup = new MultiThreadIoEventLoopGroup(1,
                new NamedThreadFactory("sluice-" + settings.name() + "-accept", true), NioIoHandler.newFactory());
        this.ioGroup = new MultiThreadIoEventLoopGroup(Math.max(1, settings.ioThreads()),
                new NamedThreadFactory("sluice-" + settings.name() + "-io", true), NioIoHandler.newFactory());
        this.connections = new DefaultChannelGroup("sluice-" + settings.name(), ioGroup.next());
        var bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        // bytes <-> HTTP messages; one FullHttpRequest per request (bodies are small or absent);
                        // routing, the call to the handler and keep-alive
                        ch.pipeline()
                                .addLast("http-codec", new HttpServerCodec())
                                .addLast("aggregator", new HttpObjectAggregator(settings.maxRequestBytes()))
                                .addLast("router", new RoutingHandler(settings.owner(), router));
                    }
                });
        try {
            this.serverChannel = bind(bootstrap);
        } catch (RuntimeException e) {
            shutdownGroups();
            throw e;
        }
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        LOG.info("[{}] {} listening on {} (bound to {})", settings.owner(), settings.name(), url(), serverChannel.localAddress());
    }

    /** Binds and starts the server; fails, leaving no thread behind, when no port in the range is free. */
    public static HttpServer start(Settings settings, Router router) {
        return new HttpServer(settings, router);
    }

    private Channel bind(ServerBootstrap bootstrap) {
        int attempts = settings.port() == 0 ? 1 : settings.maxRetries() + 1;
        Throwable last = null;
        for (int i = 0; i < attempts; i++) {
            int tryPort = settings.port() == 0 ? 0 : settings.port() + i;
            if (tryPort > 65535) {
                break;
            }
            ChannelFuture f = bootstrap.bind(settings.bindHost(), tryPort);
            if (!f.awaitUninterruptibly(settings.closeTimeout().toMillis())) {
                f.cancel(false);
                throw new IllegalStateException("binding " + settings.name() + " to " + settings.bindHost() + ":"
                        + tryPort + " took longer than " + settings.closeTimeout().toMillis() + " ms");
            }
            if (f.isSuccess()) {
                return f.channel();
            }
            last = f.cause();
            if (!(last instanceof BindException)) {
                throw new IllegalStateException("cannot bind " + settings.name() + " to " + settings.bindHost() + ":"
                        + tryPort + ": " + last, last);
            }
            LOG.warn("[{}] {}: port {} is taken ({})", settings.owner(), settings.name(), tryPort, last.getMessage());
        }
        throw new IllegalStateException("cannot bind " + settings.name() + " on " + settings.bindHost() + ": ports "
                + settings.port() + " to " + (settings.port() + settings.maxRetries()) + " are all taken; set "
                + "sluice.ui.port to a free port (0 picks one) or raise sluice.port.maxRetries", last);
    }

    /** The bound port (the real one when bound to port 0). */
    public int port() {
        return port;
    }

    /** {@code http://<advertised host>:<port>}, with no trailing slash. */
    public URI url() {
        return URI.create("http://" + settings.advertisedHost() + ":" + port);
    }

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long timeout = settings.closeTimeout().toMillis();
        boolean done = serverChannel.close().awaitUninterruptibly(timeout)
                & connections.close().awaitUninterruptibly(timeout);
        done &= shutdownGroups();
        if (done) {
            LOG.info("[{}] {} on port {} stopped", settings.owner(), settings.name(), port);
        } else {
            LOG.warn("[{}] {} on port {} did not stop within {} ms", settings.owner(), settings.name(), port, timeout);
        }
    }

    private boolean shutdownGroups() {
        long timeout = settings.closeTimeout().toMillis();
        var a = acceptGroup.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        var b = ioGroup.shutdownGracefully(0, timeout, TimeUnit.MILLISECONDS);
        return a.awaitUninterruptibly(timeout) & b.awaitUninterruptibly(timeout);
    }
}
