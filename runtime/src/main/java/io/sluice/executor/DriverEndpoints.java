package io.sluice.executor;

import io.sluice.conf.SluiceConf;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.rpc.RpcEndpoint;
import io.sluice.rpc.TransportContext;
import java.net.InetSocketAddress;

/**
 * The driver's RPC side: its {@link TransportContext} and the server executors connect to, bound to
 * {@code sluice.driver.host}:{@code sluice.driver.port} (0 picks a free port).
 *
 * <pre>{@code
 * try (var driver = new DriverEndpoints(conf)) {
 *     driver.registerEndpoint(ExecutorMessages.REGISTRY_ENDPOINT, registry);
 *     String url = driver.url();            // "host:port", for SLUICE_DRIVER_URL
 *     ...
 * }                                          // closes the server, connections and event loops
 * }</pre>
 *
 * <p>Thread-safe; {@link #close} is idempotent and bounded (see {@link TransportContext#close}).
 */
public final class DriverEndpoints implements AutoCloseable {
    private final TransportContext transport;
    private final InetSocketAddress address;

    public DriverEndpoints(SluiceConf conf) {
        this.transport = new TransportContext(conf);
        try {
            this.address = transport.startServer(conf.get(SluiceConf.DRIVER_HOST), conf.get(SluiceConf.DRIVER_PORT)).address();
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** {@code host:port} as executors are told in {@code SLUICE_DRIVER_URL}. */
    public String url() {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public void registerEndpoint(String name, RpcEndpoint endpoint) {
        transport.dispatcher().registerEndpoint(name, endpoint);
    }

    public RpcClientFactory clients() {
        return transport.clientFactory();
    }

    public TransportContext transport() {
        return transport;
    }

    @Override
    public void close() {
        transport.close();
    }
}
