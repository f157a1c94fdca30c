package io.sluice.executor;

import io.sluice.cluster.ExecutorId;
import io.sluice.executor.TaskMessages.GetMapOutputs;
import io.sluice.executor.TaskMessages.MapOutputs;
import io.sluice.rpc.RpcClientFactory;
import io.sluice.shuffle.MapOutputLocations;
import io.sluice.shuffle.MapStatus;
import io.sluice.shuffle.ShuffleFetchException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An executor's view of where map outputs are: asks the driver's {@value TaskMessages#MAP_OUTPUTS_ENDPOINT}
 * endpoint once per shuffle and caches the answer, with the addresses of the executors it names (which the block
 * fetcher uses). The cache of a shuffle is dropped by {@link #invalidate} (a task of this executor could not fetch
 * from it) and the whole cache by {@link #observeEpoch} when the driver's epoch grew (outputs were lost and run
 * again elsewhere). A missing output makes {@link #statuses} throw a {@link ShuffleFetchException}, so the driver
 * runs the map again. Thread-safe.
 */
public final class DriverMapOutputLocations implements MapOutputLocations {
    private static final Logger LOG = LogManager.getLogger(DriverMapOutputLocations.class);
    /** The location named by a fetch failure for an output the driver has no status for. */
    public static final ExecutorId MISSING = new ExecutorId("(no location)");

    private final ExecutorId self;
    private final RpcClientFactory clients;
    private final InetSocketAddress driver;
    private final Duration timeout;
    private final ConcurrentHashMap<Integer, MapOutputs> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ExecutorId, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private long epoch; // guarded by this

    public DriverMapOutputLocations(ExecutorId self, RpcClientFactory clients, InetSocketAddress driver, Duration timeout) {
        this.self = self;
        this.clients = clients;
        this.driver = driver;
        this.timeout = timeout;
    }

    @Override
    public List<MapStatus> statuses(int shuffleId) {
        MapOutputs outputs = cache.get(shuffleId);
        if (outputs == null) {
            outputs = ask(shuffleId);
            outputs.addresses().forEach((id, hostPort) -> addresses.put(id, parse(hostPort)));
            cache.put(shuffleId, outputs);
        }
        MapStatus[] statuses = outputs.statuses();
        for (int m = 0; m < statuses.length; m++) {
            if (statuses[m] == null) {
                cache.remove(shuffleId);
                throw new ShuffleFetchException(MISSING, shuffleId, m, -1,
                        "the driver has no output of that map (its executor was lost)", null);
            }
        }
        return List.of(statuses);
    }

    private MapOutputs ask(int shuffleId) {
        try {
            return clients.client(driver).<MapOutputs>ask(TaskMessages.MAP_OUTPUTS_ENDPOINT, new GetMapOutputs(shuffleId), timeout)
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Executor " + self + " was interrupted asking the driver for shuffle " + shuffleId, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Executor " + self + " could not get the map outputs of shuffle " + shuffleId
                    + " from the driver at " + driver + ": " + cause, cause);
        }
    }

    /** The RPC address of an executor named by a map status this executor has seen; null if none. */
    public InetSocketAddress address(ExecutorId id) {
        return addresses.get(id);
    }

    /** Forgets the cached locations of a shuffle. */
    public void invalidate(int shuffleId) {
        cache.remove(shuffleId);
    }

    /** Drops every cached location when {@code driverEpoch} is newer than the last one seen. */
    public synchronized void observeEpoch(long driverEpoch) {
        if (driverEpoch > epoch) {
            if (!cache.isEmpty()) {
                LOG.info("Executor {}: map output epoch {} -> {}, dropping cached locations of shuffles {}", self, epoch,
                        driverEpoch, cache.keySet());
            }
            epoch = driverEpoch;
            cache.clear();
        }
    }

    /** {@code host:port} (the host possibly in brackets) as an address. */
    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
