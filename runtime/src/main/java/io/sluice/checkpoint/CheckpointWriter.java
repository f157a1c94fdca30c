package io.sluice.checkpoint;

import io.sluice.util.ExecutorShutdown;
import io.sluice.util.NamedThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes metadata checkpoints on its own thread, off the batches' path: only the newest one handed over matters,
 * so one still waiting is replaced by a newer one (checkpoints must be handed over in the order they were taken). A
 * caller that must know its checkpoint is durable waits on the future {@link #write} returns. A failed write is
 * retried with a growing pause; after {@code maxFailures} checkpoints in a row could not be written, {@code onFatal}
 * is told (the context fails loudly rather than run on with no way to recover).
 */
public final class CheckpointWriter implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(CheckpointWriter.class);

    private final CheckpointFiles files;
    private final String appId;
    private final int maxFailures;
    private final Duration backoff;
    private final BiConsumer<String, Throwable> onFatal;
    /** The checkpoint waiting to be written and who waits for it; guarded by {@code this}. */
    private MetadataCheckpoint next;
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-checkpoint-writer", true));
    private int failuresInARow; // only touched by the writer thread
    private volatile boolean gaveUp;

    public CheckpointWriter(CheckpointFiles files, String appId, int maxFailures, Duration backoff,
                            BiConsumer<String, Throwable> onFatal) {
        this.files = files;
        this.appId = appId;
        this.maxFailures = maxFailures;
        this.backoff = backoff;
        this.onFatal = onFatal;
    }

    /**
     * Hands over the newest checkpoint and returns at once. The future completes when this checkpoint (or a newer one
     * handed over meanwhile) is durable, and fails if it could not be written or the writer stopped first.
     */
    public CompletableFuture<Void> write(MetadataCheckpoint cp) {
        var done = new CompletableFuture<Void>();
        boolean schedule;
        synchronized (this) {
            schedule = next == null;
            next = cp; // a write already scheduled takes this newer one
            waiting.add(done);
        }
        if (schedule) {
            try {
                thread.execute(this::writeNext);
            } catch (RejectedExecutionException e) {
                LOG.debug("[{}] Checkpoint writer stopped; not writing the checkpoint of {}", appId, cp.completedTime());
                failWaiting(new IOException("The checkpoint writer has stopped"));
            }
        }
        return done;
    }

    private synchronized void failWaiting(IOException e) {
        next = null;
        waiting.forEach(f -> f.completeExceptionally(e));
        waiting = new ArrayList<>();
    }

    private void writeNext() {
        MetadataCheckpoint cp;
        List<CompletableFuture<Void>> writing;
        synchronized (this) {
            cp = next;
            writing = waiting;
            next = null;
            waiting = new ArrayList<>();
        }
        if (cp == null) {
            return;
        }
        long pause = backoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                var file = files.write(cp);
                failuresInARow = 0;
                LOG.debug("[{}] Wrote checkpoint {} of batch {}", appId, file, cp.completedTime());
                writing.forEach(f -> f.complete(null));
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt >= 3 || Thread.currentThread().isInterrupted()) {
                    failuresInARow++;
                    LOG.error("[{}] Could not write the checkpoint of batch {} ({} in a row): {}", appId,
                            cp.completedTime(), failuresInARow, e.toString());
                    writing.forEach(f -> f.completeExceptionally(e));
                    if (failuresInARow >= maxFailures) {
                        gaveUp = true;
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
                    writing.forEach(f -> f.completeExceptionally(new IOException("Interrupted writing the checkpoint")));
                    return;
                }
                pause *= 2;
            }
        }
    }

    /** True once {@code maxFailures} checkpoints in a row failed and the context was told. */
    public boolean gaveUp() {
        return gaveUp;
    }

    /** Writes the checkpoint still waiting, if any (at most {@code timeout}), then stops. */
    public void close(Duration timeout) {
        if (!ExecutorShutdown.drain(thread, timeout)) {
            LOG.warn("[{}] The last checkpoint was not written within {} ms", appId, timeout.toMillis());
        }
        failWaiting(new IOException("The checkpoint writer has stopped"));
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
