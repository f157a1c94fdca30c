package io.sluice.supervision;

import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The driver's side of {@link DriverProgress}: a streaming listener that records the context's start and its
 * completed batches (wall-clock times) in the supervisor's progress file, at most every {@value #MIN_WRITE_INTERVAL_MS}
 * ms after the first batch. Runs on the listener bus's thread; a failed write is logged once and retried at the
 * next batch, never failing the stream.
 */
public final class DriverProgressWriter implements StreamingListener {
    private static final Logger LOG = LogManager.getLogger(DriverProgressWriter.class);
    static final long MIN_WRITE_INTERVAL_MS = 500;

    private final Path file;
    private long started = -1;
    private long firstBatch = -1;
    private long lastBatch = -1;
    private long batches;
    private long lastWrite = Long.MIN_VALUE;
    private boolean warned;

    public DriverProgressWriter(Path file) {
        this.file = file;
    }

    @Override
    public void onStreamingStarted(StreamingListenerEvent.StreamingStarted event) {
        started = System.currentTimeMillis();
        write(started);
    }

    @Override
    public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
        long now = System.currentTimeMillis();
        if (started < 0) {
            started = now;
        }
        if (firstBatch < 0) {
            firstBatch = now;
        }
        lastBatch = now;
        batches++;
        if (batches == 1 || now - lastWrite >= MIN_WRITE_INTERVAL_MS) {
            write(now);
        }
    }

    private void write(long now) {
        try {
            new DriverProgress(started, firstBatch, lastBatch, batches).write(file);
            lastWrite = now;
        } catch (IOException | RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warn("Cannot record the driver's progress for its supervisor in {}: {}", file, e.toString());
            }
        }
    }
}
