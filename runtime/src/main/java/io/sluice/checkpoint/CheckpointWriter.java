package io.sluice.checkpoint;

import io.sluice.util.ExecutorShutdown;
import io.sluice.util.NamedThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes metadata checkpoints on its own thread, off the batches' path: only the newest one handed over matters,
 * so one still waiting is replaced by a newer one. A failed write is retried with a growing pause; after
 * {@code maxFailures} checkpoints in a row could not be written, {@code onFatal} is told (the context fails loudly
 * rather than run on with no way to recover).
 */
public final class CheckpointWriter implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(CheckpointWriter.class);

    private final CheckpointFiles files;
    private final String appId;
    private final int maxFailures;
    private final Duration backoff;
    private final BiConsumer<String, Throwable> onFatal;
    private final AtomicReference<MetadataCheckpoint> next = new AtomicReference<>();
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-checkpoint-writer", true));
    private int failuresInARow; // only touched by the writer thread

    public CheckpointWriter(CheckpointFiles files, String appId, int maxFailures, Duration backoff,
                            BiConsumer<String, Throwable> onFatal) {
        this.files = files;
        this.appId = appId;
        this.maxFailures = maxFailures;
        this.backoff = backoff;
        this.onFatal = onFatal;
    }

    /** Hands over the newest checkpoint; returns at once. */
    public void write(MetadataCheckpoint cp) {
        if (next.getAndSet(cp) != null) {
            return; // a write is already scheduled: it will take this newer one
        }
        try {
            thread.execute(this::writeNext);
        } catch (RejectedExecutionException e) {
            LOG.debug("[{}] Checkpoint writer stopped; not writing the checkpoint of {}", appId, cp.completedTime());
        }
    }

    private void writeNext() {
        MetadataCheckpoint cp = next.getAndSet(null);
        if (cp == null) {
            return;
        }
        long pause = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                var file = files.write(cp);
                failuresInARow = 0;
                LOG.debug("[{}] Wrote checkpoint {} of batch {}", appId, file, cp.completedTime());
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt >= 3 || Thread.currentThread().isInterrupted()) {
                    failuresInARow++;
                    LOG.error("[{}] Could not write the checkpoint of batch {} ({} in a row): {}", appId,
                            cp.completedTime(), failuresInARow, e.toString());
                    if (failuresInARow >= maxFailures) {
                        onFatal.accept("The checkpoint could not be written " + failuresInARow + " times in a row "
                                + "(last: batch " + cp.completedTime() + "): " + e.getMessage(), e);
                    }
                    return;
                }
                LOG.warn("[{}] Writing the checkpoint of batch {} failed (attempt {}), retrying in {} ms: {}", appId,
                        cp.completedTime(), attempt, pause, e.toString());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause *= 2;
            }
        }
    }

    /** Writes the checkpoint still waiting, if any (at most {@code timeout}), then stops. */
    public void close(Duration timeout) {
        if (!ExecutorShutdown.drain(thread, timeout)) {
            LOG.warn("[{}] The last checkpoint was not written within {} ms", appId, timeout.toMillis());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
