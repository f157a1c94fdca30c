package io.sluice.yarn;

import io.sluice.supervision.AttemptRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptId;
import org.apache.hadoop.yarn.api.records.ApplicationAttemptReport;
import org.apache.hadoop.yarn.api.records.YarnApplicationAttemptState;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What the shared restart policy needs to know of an application's earlier ApplicationMaster attempts, from where
 * YARN keeps it: when each failed (the ResourceManager's attempt reports) and when its driver became healthy (a
 * marker each attempt writes to the staging directory, {@code <staging>/driver-attempts/attempt-<n>.healthy}, which
 * YARN keeps until the last attempt ended), and why it failed ({@code attempt-<n>.failure}, written by an attempt that
 * leaves the restart to YARN; else the ResourceManager's diagnostics). Mechanism only: the arithmetic is {@code DriverRestartPolicy}'s.
 */
final class AttemptHistory {
    private static final Logger LOG = LogManager.getLogger(AttemptHistory.class);
    private static final String DIR = "driver-attempts";

    private AttemptHistory() {
    }

    /** One earlier attempt that failed, and why. */
    record Earlier(AttemptRecord record, String reason) {
    }

    /**
     * The attempts of {@code current}'s application before it that failed, oldest first; empty for the first attempt
     * or when the ResourceManager cannot be asked (then the attempt number alone counts, see the caller).
     */
    static List<Earlier> earlierFailures(ApplicationAttemptId current, Configuration conf, Path staging)
            throws IOException, YarnException {
        if (current.getAttemptId() == 1) {
            return List.of();
        }
        var failed = new ArrayList<Earlier>();
        try (YarnClient client = YarnClient.createYarnClient()) {
            var c = new YarnConfiguration(conf);
            c.setLong(YarnConfiguration.RESOURCEMANAGER_CONNECT_MAX_WAIT_MS, 30_000); // a question, not the job
            client.init(c);
            client.start();
            for (ApplicationAttemptReport r : client.getApplicationAttempts(current.getApplicationId())) {
                int n = r.getApplicationAttemptId().getAttemptId();
                if (n < current.getAttemptId() && r.getYarnApplicationAttemptState() == YarnApplicationAttemptState.FAILED) {
                    String diagnostics = r.getDiagnostics() == null ? "" : r.getDiagnostics().strip().lines().findFirst().orElse("");
                    String reason = read(conf, staging, n, ".failure").orElse("driver attempt " + n + " failed"
                            + (diagnostics.isEmpty() ? "" : " (" + diagnostics + ")"));
                    failed.add(new Earlier(AttemptRecord.failed(n, r.getFinishTime(),
                            read(conf, staging, n, ".healthy").map(t -> OptionalLong.of(Long.parseLong(t.trim())))
                                    .orElse(OptionalLong.empty())), reason));
                }
            }
        }
        failed.sort((a, b) -> Integer.compare(a.record().attempt(), b.record().attempt()));
        return failed;
    }

    /** Records that the driver of {@code attempt} became healthy at {@code timeMs}. */
    static void markHealthy(Configuration conf, Path staging, int attempt, long timeMs) {
        write(conf, staging, attempt, ".healthy", Long.toString(timeMs));
    }

    /** Records why the driver of {@code attempt} failed, for the attempt YARN starts next. */
    static void markFailed(Configuration conf, Path staging, int attempt, String reason) {
        write(conf, staging, attempt, ".failure", reason);
    }

    private static void write(Configuration conf, Path staging, int attempt, String suffix, String text) {
        if (staging == null) {
            return;
        }
        Path file = new Path(new Path(staging, DIR), "attempt-" + attempt + suffix);
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (OutputStream out = fs.create(file, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot record {} of driver attempt {} in {}: {}", suffix, attempt, file, e.toString());
        }
    }

    private static java.util.Optional<String> read(Configuration conf, Path staging, int attempt, String suffix) {
        if (staging == null) {
            return java.util.Optional.empty();
        }
        Path file = new Path(new Path(staging, DIR), "attempt-" + attempt + suffix);
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                return java.util.Optional.empty();
            }
            try (FSDataInputStream in = fs.open(file)) {
                return java.util.Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read {} of driver attempt {} ({}): {}", suffix, attempt, file, e.toString());
            return java.util.Optional.empty();
        }
    }
}
