package io.sluice.executor;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.receiver.ControlledReceiver;
import io.sluice.receiver.ReceiverMessages.StartReceiver;
import io.sluice.receiver.ReceiverMessages.UpdateRateLimit;
import io.sluice.receiver.ReceiverSupervisor;
import io.sluice.rpc.TransportContext;
import io.sluice.serde.KryoSerializer;
import io.sluice.storage.BlockStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Backpressure on an executor: the receiver starts at the initial rate and takes the driver's later rates. */
class ReceiverServiceRateLimitTest {
    private SluiceConf conf;
    private KryoSerializer serializer;
    /** How the messages travel: Kryo with registration required. */
    private KryoSerializer wire;
    private TransportContext transport;
    private ReceiverService service;

    @BeforeEach
    void setUp() throws Exception {
        conf = new SluiceConf(false).set(SluiceConf.RPC_IO_THREADS, 1).set(SluiceConf.RPC_DISPATCHER_THREADS, 2);
        serializer = new KryoSerializer(conf);
        wire = new KryoSerializer(conf.copy().set(SluiceConf.KRYO_REGISTRATION_REQUIRED, true));
        transport = new TransportContext(conf);
        int noDriver;
        try (var s = new ServerSocket(0)) {
            noDriver = s.getLocalPort();
        }
        // the receiver stores nothing, so the driver is never needed (its events are only logged as undeliverable)
        service = new ReceiverService("exec-a", new BlockStore(), serializer, transport.clientFactory(),
                new InetSocketAddress("127.0.0.1", noDriver), Duration.ofSeconds(5));
    }

    @AfterEach
    void tearDown() {
        service.close();
        transport.close();
    }

    private ReceiverSupervisor<?> start(long maxRate, long initialRate) throws Exception {
        var start = new StartReceiver(4, serializer.serialize(new ControlledReceiver<String>()), "127.0.0.1:1", 100,
                maxRate, 60_000, 60_000, initialRate);
        // the message as it travels, with Kryo registration required
        StartReceiver received = wire.deserialize(wire.serialize(start));
        assertThat(service.receive(null, received)).isEqualTo(Boolean.TRUE);
        return service.supervisor(4).orElseThrow();
    }

    private void update(long rate) throws Exception {
        UpdateRateLimit received = wire.deserialize(wire.serialize(new UpdateRateLimit(4, rate)));
        assertThat(service.receive(null, received)).isEqualTo(Boolean.TRUE);
    }

    @Test
    void theReceiverStartsAtTheInitialRateAndTakesEachNewRateCappedByItsMaximum() throws Exception {
        ReceiverSupervisor<?> supervisor = start(800, 5000);
        assertThat(supervisor.rateLimiter().rate()).isEqualTo(800);
        update(250);
        assertThat(supervisor.rateLimiter().rate()).isEqualTo(250);
        update(2500);
        assertThat(supervisor.rateLimiter().rate()).isEqualTo(800);
    }

    @Test
    void withoutAMaximumTheEstimateIsTheLimit() throws Exception {
        ReceiverSupervisor<?> supervisor = start(0, 0);
        assertThat(supervisor.rateLimiter().rate()).as("no limit before an estimate").isZero();
        update(2500);
        assertThat(supervisor.rateLimiter().rate()).isEqualTo(2500);
    }

    @Test
    void aRateForAStreamThatDoesNotRunHereIsIgnored() throws Exception {
        assertThat(service.receive(null, new UpdateRateLimit(9, 100))).isEqualTo(Boolean.TRUE);
        assertThat(service.supervisor(9)).isEmpty();
    }
}
