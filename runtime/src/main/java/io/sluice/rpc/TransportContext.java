package io.sluice.rpc;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.sluice.conf.SluiceConf;
import io.sluice.serde.KryoSerializer;
import io.sluice.serde.Serializer;
import io.sluice.util.NamedThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A process's RPC transport: the NIO event loops (named {@code sluice-rpc-io-N}), the endpoint dispatcher pool
 * ({@code sluice-rpc-dispatch-N}), the shared codecs, the {@link InboundDispatcher}, the {@link RpcClientFactory}
 * and any {@link RpcServer}s. One per driver or executor JVM.
 *
 * <pre>{@code
 * try (var transport = new TransportContext(conf)) {
 *     RpcServer server = transport.startServer("0.0.0.0", 0);
 *     transport.dispatcher().registerEndpoint("heartbeat", endpoint);
 *     RpcClient driver = transport.clientFactory().client(driverAddress);
 *     driver.ask("register", info).get(...);
 * }
 * }</pre>
 *
 * <p>{@link #close} closes servers, then client connections, then stops the event loops and the dispatcher pool,
 * waiting a bounded time for each; it is idempotent. Thread-safe.
 */
public final class TransportContext implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(TransportContext.class);
    private static final long SHUTDOWN_WAIT_MS = 5000;

    private final RpcSettings settings;
    private final EventLoopGroup ioGroup;
    private final ExecutorService dispatcherPool;
    private final InboundDispatcher dispatcher;
    private final RpcPipeline.Shared shared;
    private final RpcClientFactory clientFactory;
    private final List<RpcServer> servers = new ArrayList<>();
    private boolean closed;

    /** A transport serializing messages with Kryo, configured by {@code conf}. */
    public TransportContext(SluiceConf conf) {
        this(conf, new KryoSerializer(conf));
    }

    public TransportContext(SluiceConf conf, Serializer serializer) {
        this.settings = RpcSettings.from(conf);
        this.ioGroup = new MultiThreadIoEventLoopGroup(settings.ioThreads(),
                new NamedThreadFactory("sluice-rpc-io", true), NioIoHandler.newFactory());
        this.dispatcherPool = Executors.newFixedThreadPool(settings.dispatcherThreads(),
                new NamedThreadFactory("sluice-rpc-dispatch", true));
        this.dispatcher = new InboundDispatcher(serializer, dispatcherPool);
        this.shared = new RpcPipeline.Shared(settings, new MessageEncoder(settings.maxFrameBytes()), new MessageDecoder(),
                serializer, dispatcher);
        this.clientFactory = new RpcClientFactory(shared, ioGroup);
    }

    public RpcSettings settings() {
        return settings;
    }

    /** Where endpoints and the stream provider are registered; they serve every connection of this transport. */
    public InboundDispatcher dispatcher() {
        return dispatcher;
    }

    public RpcClientFactory clientFactory() {
        return clientFactory;
    }

    /**
     * Binds a server to {@code host:port} ({@code port} 0 picks a free port; see {@link RpcServer#address()}).
     * It is closed by {@link RpcServer#close} or, at the latest, by {@link #close}.
     */
    public synchronized RpcServer startServer(String host, int port) {
        if (closed) {
            throw new IllegalStateException("transport is closed");
        }
        var server = new RpcServer(shared, ioGroup, host, port);
        servers.add(server);
        return server;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        servers.forEach(RpcServer::close);
        clientFactory.close();
        boolean loopsDone = ioGroup.shutdownGracefully(0, SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS)
                .awaitUninterruptibly(SHUTDOWN_WAIT_MS + 1000);
        dispatcherPool.shutdown();
        boolean poolDone;
        try {
            poolDone = dispatcherPool.awaitTermination(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            poolDone = false;
        }
        if (!poolDone) {
            dispatcherPool.shutdownNow(); // an endpoint is stuck; interrupt it rather than leak the thread
        }
        if (!loopsDone || !poolDone) {
            LOG.warn("RPC transport did not stop within {} ms (event loops done: {}, endpoints done: {})",
                    SHUTDOWN_WAIT_MS, loopsDone, poolDone);
        }
    }
}
