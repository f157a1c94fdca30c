package io.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the checkpoint directory lease promises, on any Hadoop file system: run on the local file system
 * ({@code LocalCheckpointLeaseTest}) and on HDFS (itests' {@code HdfsCheckpointLeaseTest}).
 */
public abstract class CheckpointLeaseContract {
    /** Long enough that a test passing through the timeout path instead of a fast one cannot go unnoticed. */
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Duration FAST_PATH_BOUND = Duration.ofSeconds(60);

    private final List<CheckpointLease> leases = new ArrayList<>();

    /** The file system under test. */
    protected abstract FileSystem fileSystem() throws IOException;

    /** A fresh directory on it, not yet created. */
    protected abstract Path newDirectory() throws IOException;

    @AfterEach
    void giveUp() {
        leases.forEach(CheckpointLease::close);
    }

    private CheckpointLease acquire(Path dir, CheckpointLease.Holder who, Duration timeout) throws IOException {
        var lease = CheckpointLease.acquire(fileSystem(), dir, who, CheckpointLease.Settings.of(timeout), t -> { });
        leases.add(lease);
        return lease;
    }

    private static CheckpointLease.Holder here(String app) {
        return new CheckpointLease.Holder(java.util.UUID.randomUUID().toString(), app, hostName(),
                ProcessHandle.current().pid());
    }

    private static String hostName() {
        return CheckpointLease.Holder.thisProcess("x").host();
    }

    /** Writes a lease file as another driver would have left it. */
    private void leaveLease(Path dir, CheckpointLease.Holder holder) throws IOException {
        var fs = fileSystem();
        fs.mkdirs(dir);
        String content = "token=" + holder.token() + "\nappId=" + holder.appId() + "\nhost=" + holder.host() + "\npid="
                + holder.pid() + "\nrenewal=3\n";
        try (var out = fs.create(CheckpointLease.fileOf(dir), true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }

    private String leaseFile(Path dir) throws IOException {
        try (var in = fileSystem().open(CheckpointLease.fileOf(dir))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSecondDriverOnTheSameDirectoryIsRefusedWithAMessageNamingTheHolder() throws IOException {
        Path dir = newDirectory();
        acquire(dir, here("app-first"), Duration.ofSeconds(3));
        // the same host and a live pid, another application: only the holder's renewals tell it is alive
        assertThatThrownBy(() -> acquire(dir, here("app-second"), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The checkpoint directory " + dir)
                .hasMessageContaining("is in use by application app-first (host " + hostName() + ", pid "
                        + ProcessHandle.current().pid() + ")")
                .hasMessageContaining("sluice.streaming.checkpoint.leaseTimeout");
        assertThat(leaseFile(dir)).contains("appId=app-first");
    }

    @Test
    void aLeaseLeftByADriverProcessThatEndedOnThisHostIsTakenOverAtOnce() throws Exception {
        Path dir = newDirectory();
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        leaveLease(dir, new CheckpointLease.Holder("old", "app-killed", hostName(), gone.pid()));
        assertTimeoutPreemptively(FAST_PATH_BOUND, () -> acquire(dir, here("app-restarted"), LONG));
        assertThat(leaseFile(dir)).contains("appId=app-restarted");
    }

    @Test
    void aLaterAttemptOfTheSameApplicationTakesTheLeaseOverAtOnceFromAnotherHost() throws Exception {
        Path dir = newDirectory();
        leaveLease(dir, new CheckpointLease.Holder("old", "application_1_0001", "node-elsewhere", 4242));
        assertTimeoutPreemptively(FAST_PATH_BOUND, () -> acquire(dir, here("application_1_0001"), LONG));
        assertThat(leaseFile(dir)).contains("host=" + hostName());
    }

    @Test
    void aLeaseOfAnotherHostThatIsNoLongerRenewedIsTakenOverAfterTheTimeout() throws Exception {
        Path dir = newDirectory();
        leaveLease(dir, new CheckpointLease.Holder("old", "app-elsewhere", "node-elsewhere", 4242));
        acquire(dir, here("app-new"), Duration.ofSeconds(2));
        assertThat(leaseFile(dir)).contains("appId=app-new");
    }

    @Test
    void aStoppedDriverGivesItsLeaseUpSoTheNextStartsAtOnce() throws Exception {
        Path dir = newDirectory();
        var first = acquire(dir, here("app-first"), LONG);
        first.close();
        assertThat(fileSystem().exists(CheckpointLease.fileOf(dir))).isFalse();
        assertTimeoutPreemptively(FAST_PATH_BOUND, () -> acquire(dir, here("app-second"), LONG));
    }

    @Test
    void aDriverWhoseLeaseWasTakenOverIsToldAndStopsRenewing() throws Exception {
        Path dir = newDirectory();
        var told = new CopyOnWriteArrayList<Throwable>();
        var lease = CheckpointLease.acquire(fileSystem(), dir, here("app-slow"),
                CheckpointLease.Settings.of(Duration.ofSeconds(3)), told::add);
        leases.add(lease);
        leaveLease(dir, new CheckpointLease.Holder("other", "app-other", "node-elsewhere", 4242));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (told.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(told).singleElement().satisfies(t -> assertThat(t).hasMessageContaining(
                "Another driver, application app-other (host node-elsewhere, pid 4242), took over the checkpoint "
                        + "directory " + dir));
        assertThat(lease.lost()).isTrue();
        lease.close();
        assertThat(leaseFile(dir)).as("the new holder's lease is left alone").contains("appId=app-other");
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNamedInTheError() throws Exception {
        Path parent = newDirectory();
        var fs = fileSystem();
        fs.mkdirs(parent);
        Path file = new Path(parent, "a-file");
        try (var out = fs.create(file)) {
            out.write(1);
        }
        Path dir = new Path(file, "checkpoint");
        assertThatThrownBy(() -> acquire(dir, here("app"), LONG))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot use the checkpoint directory " + dir)
                .hasMessageContaining("Check that it is a directory this user can write to");
    }
}
