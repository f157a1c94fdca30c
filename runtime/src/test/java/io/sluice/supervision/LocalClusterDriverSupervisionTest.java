package io.sluice.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.util.SystemClock;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/**
 * The driver-supervision contract on {@code local-cluster[1,1,384]}: there is no cluster manager, so the driver runs
 * as a child JVM under {@link DriverSupervisor} with a {@link LocalDriverLauncher} (what
 * {@code sluice-submit --supervise} does with a local master), and its executor as a child of the driver.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LocalClusterDriverSupervisionTest extends DriverSupervisionContract {
    private static final java.nio.file.Path WORK =
            java.nio.file.Path.of("target", "driver-supervision", Long.toString(System.currentTimeMillis())).toAbsolutePath();
    private DriverSupervisor running;

    @AfterEach
    void killLeftovers() {
        if (running != null) {
            running.kill("the test ended");
        }
    }

    @Override
    protected SupervisedDriver submit(String name, String mainClass, List<String> args, Map<String, String> settings)
            throws IOException {
        var conf = new SluiceConf(false).setMaster("local-cluster[1,1,384]").setAppName("supervised-" + name)
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, WORK.resolve(name).resolve("executors").toString());
        settings.forEach(conf::set);
        var launcher = new LocalDriverLauncher("supervised-" + name + "-" + System.currentTimeMillis(), conf,
                List.of("-Xmx256m"), Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator)),
                mainClass, args, Files.createDirectories(WORK.resolve(name)), false);
        var supervisor = new DriverSupervisor(launcher.appId(), launcher, DriverRestartPolicy.from(conf),
                new SystemClock(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(10));
        running = supervisor;
        var end = new CompletableFuture<RestartDecision.Stop>();
        var thread = new Thread(() -> {
            try {
                end.complete(supervisor.run());
            } catch (Throwable t) {
                end.completeExceptionally(t);
            }
        }, "supervisor-" + name);
        thread.setDaemon(true);
        thread.start();
        return timeout -> {
            var stop = end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            var events = supervisor.lifecycle().events();
            assertThat(last(events).state()).isEqualTo(stop.finalState());
            assertThatBackoffWasWaited(events);
            return events;
        };
    }

    /** Locally both ends of a backoff are seen: the next attempt starts no sooner than the policy's delay. */
    private static void assertThatBackoffWasWaited(List<DriverEvent> events) {
        for (int i = 0; i + 1 < events.size(); i++) {
            if (events.get(i) instanceof DriverEvent.StateChanged b && b.state() == DriverState.BACKING_OFF) {
                var next = events.get(i + 1);
                assertThat(next.timeMs() - b.timeMs()).as("waited before attempt %d", next.attempt())
                        .isGreaterThanOrEqualTo(b.backoff().toMillis());
            }
        }
    }

    @Override
    protected FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    @Override
    protected Path baseDir() throws IOException {
        return new Path(Files.createDirectories(WORK.resolve("files")).toUri());
    }
}
