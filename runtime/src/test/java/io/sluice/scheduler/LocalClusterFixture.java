package io.sluice.scheduler;

import io.sluice.batch.SluiceContext;
import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code local-cluster[2,1,512]} context the cluster variants of the operation test suites share, one per test
 * class: register it as {@code @RegisterExtension static final LocalClusterFixture cluster = new LocalClusterFixture("name")}.
 * Manual streaming clock, small RPC pools, executor logs in a temporary folder removed afterwards.
 */
public final class LocalClusterFixture implements BeforeAllCallback, AfterAllCallback {
    public static final String MASTER = "local-cluster[2,1,512]";

    private final String appName;
    private Path workDir;
    private SluiceContext context;

    public LocalClusterFixture(String appName) {
        this.appName = appName;
    }

    /** The running cluster context; valid between the class's first and last test. */
    public SluiceContext context() {
        return context;
    }

    /** Starts the cluster (two executor JVMs) and returns once both registered. */
    @Override
    public void beforeAll(ExtensionContext extension) throws IOException {
        workDir = Files.createTempDirectory("sluice-" + appName);
        context = new SluiceContext(new SluiceConf(false).setMaster(MASTER).setAppName(appName)
                .set(SluiceConf.CLOCK, "manual")
                .set(SluiceConf.LOCAL_CLUSTER_WORK_DIR, workDir.toString())
                .set(SluiceConf.RPC_IO_THREADS, 1)
                .set(SluiceConf.RPC_DISPATCHER_THREADS, 2)
                .set(SluiceConf.EXECUTOR_REGISTRATION_TIMEOUT, Duration.ofSeconds(120))
                .set(SluiceConf.JOB_TIMEOUT, Duration.ofSeconds(60)));
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        if (context != null) {
            context.close();
        }
        if (workDir != null) {
            try (Stream<Path> files = Files.walk(workDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException("could not remove " + workDir, e);
            }
        }
    }
}
