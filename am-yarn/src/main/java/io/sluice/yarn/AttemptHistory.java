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
 * marker each attempt writes to the staging directory, {@code <staging>/driver-health/attempt-<n>}, which YARN keeps
 * until the last attempt ended). Mechanism only: the arithmetic is {@code DriverRestartPolicy}'s.
 */
final class AttemptHistory {
    private static final Logger LOG = LogManager.getLogger(AttemptHistory.class);
    private static final String HEALTH_DIR = "driver-health";

    private AttemptHistory() {
    }

    /** One earlier attempt as the ResourceManager reports it. */
    record Earlier(AttemptRecord record, String diagnostics) {
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
                    failed.add(new Earlier(AttemptRecord.failed(n, r.getFinishTime(), healthyAt(conf, staging, n)),
                            r.getDiagnostics() == null ? "" : r.getDiagnostics()));
                }
            }
        }
        failed.sort((a, b) -> Integer.compare(a.record().attempt(), b.record().attempt()));
        return failed;
    }

    /** Records that the driver of {@code attempt} became healthy at {@code timeMs}. */
    static void markHealthy(Configuration conf, Path staging, int attempt, long timeMs) {
        if (staging == null) {
            return;
        }
        Path file = new Path(new Path(staging, HEALTH_DIR), "attempt-" + attempt);
        try {
            FileSystem fs = file.getFileSystem(conf);
            try (OutputStream out = fs.create(file, true)) {
                out.write(Long.toString(timeMs).getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot record in {} that the driver of attempt {} became healthy: {}", file, attempt, e.toString());
        }
    }

    private static OptionalLong healthyAt(Configuration conf, Path staging, int attempt) {
        if (staging == null) {
            return OptionalLong.empty();
        }
        Path file = new Path(new Path(staging, HEALTH_DIR), "attempt-" + attempt);
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                return OptionalLong.empty();
            }
            try (FSDataInputStream in = fs.open(file)) {
                return OptionalLong.of(Long.parseLong(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot read whether the driver of attempt {} became healthy ({}): {}", attempt, file, e.toString());
            return OptionalLong.empty();
        }
    }
}
