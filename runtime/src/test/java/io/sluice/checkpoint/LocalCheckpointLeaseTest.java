package io.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint lease on the local file system (local mode's checkpoint directories). */
class LocalCheckpointLeaseTest extends CheckpointLeaseContract {
    @TempDir
    java.nio.file.Path tmp;

    @Test
    void aLeaseOfAKilledDriverNotYetReapedByItsParentIsTakenOverAtOnce() throws Exception {
        // a parent that kills its child and never waits for it: the child stays a zombie while the parent sleeps
        var parent = new ProcessBuilder("python3", "-c", "import os,signal,sys,time\n"
                + "pid = os.fork()\n"
                + "if pid == 0:\n    time.sleep(600)\n"
                + "os.kill(pid, signal.SIGKILL)\nprint(pid, flush=True)\ntime.sleep(600)\n").start();
        try {
            long zombie = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(),
                    StandardCharsets.UTF_8)).readLine().trim());
            var fs = fileSystem();
            Path dir = newDirectory();
            fs.mkdirs(dir);
            try (var out = fs.create(CheckpointLease.fileOf(dir), true)) {
                out.write(("token=old\nappId=app-killed\nhost=" + CheckpointLease.Holder.thisProcess("x").host()
                        + "\npid=" + zombie + "\n").getBytes(StandardCharsets.UTF_8));
            }
            assertThat(ProcessHandle.of(zombie)).as("the killed driver's pid still exists").isPresent();
            CheckpointLease lease = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CheckpointLease.acquire(fs,
                    dir, CheckpointLease.Holder.thisProcess("app-restarted"),
                    CheckpointLease.Settings.of(Duration.ofMinutes(5)), t -> { }));
            lease.close();
        } finally {
            parent.destroyForcibly();
        }
    }

    @Override
    protected FileSystem fileSystem() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    @Override
    protected Path newDirectory() throws IOException {
        return new Path(Files.createTempDirectory(tmp, "lease").resolve("checkpoint").toUri());
    }
}
