package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.checkpoint.CheckpointWriter;
import io.sluice.checkpoint.MetadataCheckpoint;
import io.sluice.checkpoint.SourcePosition;
import io.sluice.dstream.StatefulDStream;
import io.sluice.listener.BatchInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Takes the driver's metadata checkpoints at the three moments a restarted driver depends on, all on the job generator's
 * thread: when the run starts (its identity and zero time, before the first batch, so that a driver killed before
 * any batch completed continues the same run), after each batch is generated when some input saves a
 * {@link SourcePosition} (waiting until it is durable, so a batch whose output may exist always runs again with the same
 * input), and after each batch completes (in the background). It also tells the inputs how far back their positions
 * are still needed: to the oldest state version a restarted driver would replay from.
 *
 * <p>A batch with a failed output operation is never recorded as completed: the checkpoints stay before the first such
 * batch, so the driver restarted after that failure (which {@code awaitTermination()} reports) runs it again instead of
 * losing its output.
 */
public final class MetadataCheckpointer {
    private static final Logger LOG = LogManager.getLogger(MetadataCheckpointer.class);
    /** How long one durable write is waited for before it is tried again; the writer fails the context long before. */
    private static final Duration DURABLE_WAIT = Duration.ofMinutes(2);

    private final DStreamGraph graph;
    private final JobScheduler scheduler;
    private final CheckpointWriter writer;
    private final String appId;
    private final String appName;
    private final String runId;
    private final long batchMs;
    private final Duration retryPause;
    private final List<SourcePosition> sources;
    private final List<StatefulDStream<?, ?>> stateful;
    private volatile Time lastCompleted;
    /** The first batch that completed with a failed output operation; the checkpoints stay before it. */
    private volatile Time firstFailed;
    private volatile boolean stopping;

    /**
     * @param lastCompleted the last batch the run completed (a restarted driver's checkpoint says which), or null for
     *                      a new run (then {@link #started} sets it to the zero time)
     */
    public MetadataCheckpointer(DStreamGraph graph, JobScheduler scheduler, CheckpointWriter writer, String appId,
                                String appName, String runId, Time lastCompleted, Duration retryPause) {
        this.graph = graph;
        this.scheduler = scheduler;
        this.writer = writer;
        this.appId = appId;
        this.appName = appName;
        this.runId = runId;
        this.batchMs = graph.batchDuration().toMillis();
        this.retryPause = retryPause;
        this.sources = graph.sourcePositions();
        this.stateful = graph.statefulStreams();
        this.lastCompleted = lastCompleted;
    }

    /** The identity of the run this driver continues or started. */
    public String runId() {
        return runId;
    }

    /**
     * A new run started with {@code zero}: writes its first checkpoint and waits until it is durable.
     *
     * @throws IllegalStateException if it cannot be written: the run could not be recovered
     */
    public void started(Time zero) {
        lastCompleted = zero;
        var cp = checkpoint(zero, List.of());
        try {
            writer.write(cp).get(DURABLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("[{}] Run {} starts at zero time {}; checkpointed", appId, runId, zero);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot write the first checkpoint of this run: " + e.getCause().getMessage()
                    + ". Check that the checkpoint directory is reachable and writable.", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("The first checkpoint of this run was not written within "
                    + DURABLE_WAIT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted writing the first checkpoint of this run", e);
        }
    }

    /**
     * Batch {@code time} was generated and is about to run: if an input saves its position, the checkpoint with
     * that batch pending is written and this waits until it is durable, trying again while the writer has not given up.
     *
     * @throws IllegalStateException if it cannot be written; the batch must then not run
     */
    public void generated(Time time) {
        if (sources.isEmpty()) {
            return; // nothing the block metadata log does not already keep
        }
        for (int attempt = 1; ; attempt++) {
            var pending = pendingAfter(lastCompleted);
            if (!pending.contains(time)) {
                pending.add(time);
            }
            try {
                writer.write(checkpoint(lastCompleted, pending)).get(DURABLE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (writer.gaveUp() || stopping) {
                    throw new IllegalStateException("Batch " + time + " does not run: the positions of its inputs "
                            + "could not be checkpointed: " + cause.getMessage(), cause);
                }
                LOG.warn("[{}] Batch {} waits: the positions of its inputs could not be checkpointed yet (attempt {}): "
                        + "{}", appId, time, attempt, cause.toString());
                sleep(retryPause.multipliedBy(Math.min(attempt, 10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted checkpointing the input positions of batch " + time, e);
            }
        }
    }

    /**
     * Batch {@code time} completed: its checkpoint is written in the background. After a batch whose output failed,
     * the checkpoints stay before that batch.
     */
    public void completed(Time time) {
        if (firstFailed == null && scheduler.batchFailed(time)) {
            firstFailed = time;
            LOG.error("[{}] Batch {} failed: checkpoints stay before it, so that a restarted driver runs it again (its "
                    + "output is not lost); a driver that goes on runs later batches but does not checkpoint them",
                    appId, time);
        }
        Time completed = firstFailed == null ? time : firstFailed.minus(graph.batchDuration());
        lastCompleted = completed;
        writer.write(checkpoint(completed, pendingAfter(completed)));
        Time replayFrom = replayHorizon(completed);
        for (SourcePosition s : sources) {
            s.forgetUpTo(replayFrom);
        }
    }

    /** No more batches will be generated: a write that waits gives up instead of trying again. */
    public void stopping() {
        stopping = true;
    }

    private List<Time> pendingAfter(Time completed) {
        var pending = new ArrayList<Time>();
        for (BatchInfo b : scheduler.pendingBatches()) {
            if (b.batchTime().isAfter(completed)) {
                pending.add(b.batchTime());
            }
        }
        pending.sort(Time::compareTo);
        return pending;
    }

    private MetadataCheckpoint checkpoint(Time completed, List<Time> pending) {
        var operators = new ArrayList<MetadataCheckpoint.Operator>();
        for (StatefulDStream<?, ?> st : stateful) {
            // the saved version a restart from this checkpoint restores: kept while this checkpoint is
            operators.add(new MetadataCheckpoint.Operator(st.operatorId(), st.stateKind(),
                    st.partitioner().numPartitions(), st.restoreReference(completed).orElse(null)));
        }
        var positions = new ArrayList<MetadataCheckpoint.Source>();
        Time replayFrom = replayHorizon(completed);
        for (SourcePosition s : sources) {
            positions.add(new MetadataCheckpoint.Source(s.sourceId(), s.formatVersion(), s.save(replayFrom)));
        }
        return new MetadataCheckpoint(appName, runId, batchMs, graph.zeroTime(), completed, pending, operators,
                positions);
    }

    /**
     * The batches after this one may run again or be replayed by a restarted driver: those after the last completed
     * one, and those since the state each stateful operator would restore (its newest saved version), with one more
     * checkpoint interval in case that version cannot be read and the one before it is used.
     */
    private Time replayHorizon(Time completed) {
        long from = completed.milliseconds();
        var stateBase = graph.replayHorizon(completed);
        if (stateBase.isPresent()) {
            long margin = 0;
            for (StatefulDStream<?, ?> st : stateful) {
                if (st.checkpointDuration() != null) {
                    margin = Math.max(margin, st.checkpointDuration().toMillis());
                }
            }
            from = Math.min(from, stateBase.get().milliseconds() - margin);
        }
        return new Time(Math.max(from, graph.zeroTime().milliseconds()));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
