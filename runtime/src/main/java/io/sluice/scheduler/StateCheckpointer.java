package io.sluice.scheduler;

import io.sluice.checkpoint.CheckpointFiles;
import io.sluice.dstream.StatefulDStream;
import io.sluice.state.StateDataset;
import io.sluice.state.StateSnapshots;
import io.sluice.util.ExecutorShutdown;
import io.sluice.util.NamedThreadFactory;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Saves versions of the stateful streams' state to the checkpoint directory (see {@link StatefulDStream#saveState}),
 * in order, on its own thread, so that writing files is no part of any batch's processing time. The streams hand
 * it the version of each batch that completes a checkpoint interval when they generate it. A failed save is logged;
 * the state stays recoverable from the previous saved version, and the next interval tries again. After each save
 * the saved versions nothing needs any more are deleted ({@link StatefulDStream#retainSavedVersions}), reading which
 * ones the metadata checkpoints still kept in {@code checkpoints} name.
 */
public final class StateCheckpointer implements StatefulDStream.StateSaver, AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(StateCheckpointer.class);

    private final StateSnapshots snapshots;
    private final CheckpointFiles checkpoints;
    private final String appId;
    private final ExecutorService thread =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-state-checkpointer", true));

    public StateCheckpointer(StateSnapshots snapshots, CheckpointFiles checkpoints, String appId) {
        this.snapshots = snapshots;
        this.checkpoints = checkpoints;
        this.appId = appId;
    }

    @Override
    public void submit(StatefulDStream<?, ?> stream, StateDataset<?, ?> version) {
        try {
            thread.execute(() -> save(stream, version));
        } catch (RejectedExecutionException e) {
            LOG.debug("[{}] {}: stopping, not saving the state at {}", appId, stream, version.version());
        }
    }

    private void save(StatefulDStream<?, ?> stream, StateDataset<?, ?> version) {
        try {
            stream.saveState(version, snapshots);
        } catch (Exception e) {
            LOG.error("[{}] {}: could not save the state at {} to {}; it stays recoverable from the previous saved "
                    + "version", appId, stream, version.version(), snapshots.root(), e);
        }
        try {
            stream.retainSavedVersions(snapshots, checkpoints.readKept());
        } catch (Exception e) {
            // nothing is deleted this time; the next save tries again
            LOG.warn("[{}] {}: could not delete the saved versions of its state no longer needed: {}", appId, stream,
                    e.toString());
        }
    }

    /** Lets the queued saves finish, waiting at most {@code timeout}, then abandons what is left. */
    public void close(Duration timeout) {
        if (!ExecutorShutdown.drain(thread, timeout)) {
            LOG.warn("[{}] State saves did not finish within {} ms; abandoning them", appId, timeout.toMillis());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
