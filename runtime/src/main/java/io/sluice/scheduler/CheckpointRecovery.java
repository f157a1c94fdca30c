package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.checkpoint.MetadataCheckpoint;
import io.sluice.checkpoint.SourcePosition;
import io.sluice.dstream.StatefulDStream;
import io.sluice.state.StateSnapshots;
import java.io.IOException;
import java.util.LinkedHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Prepares a not-yet-started graph to continue the run a metadata checkpoint was written by: checks the checkpoint's
 * stateful operators against the graph's (same id: same kind and number of partitions, or refused), points each at the
 * saved state the checkpoint names (else its newest saved state at or before the completed batch), and gives every input that saves a {@link SourcePosition} the position it had.
 */
public final class CheckpointRecovery {
    private static final Logger LOG = LogManager.getLogger(CheckpointRecovery.class);

    private final DStreamGraph graph;
    private final String checkpointDir;
    private final Configuration hadoopConf;
    private final String appId;

    public CheckpointRecovery(DStreamGraph graph, String checkpointDir, Configuration hadoopConf, String appId) {
        this.graph = graph;
        this.checkpointDir = checkpointDir;
        this.hadoopConf = hadoopConf;
        this.appId = appId;
    }

    /**
     * @throws IllegalStateException when the checkpoint cannot be used by this graph; the message says what changed
     *                               and what to do
     */
    public void prepare(MetadataCheckpoint cp) {
        var current = new LinkedHashMap<String, StatefulDStream<?, ?>>();
        for (StatefulDStream<?, ?> st : graph.statefulStreams()) {
            current.put(st.operatorId(), st);
        }
        var saved = new LinkedHashMap<String, MetadataCheckpoint.Operator>();
        cp.operators().forEach(op -> saved.put(op.id(), op));
        checkOperators(cp, current, saved);
        restoreState(cp.completedTime(), current, saved);
        restorePositions(cp);
    }

    private void checkOperators(MetadataCheckpoint cp, LinkedHashMap<String, StatefulDStream<?, ?>> current,
                                LinkedHashMap<String, MetadataCheckpoint.Operator> saved) {
        for (var e : current.entrySet()) {
            var old = saved.get(e.getKey());
            var now = new MetadataCheckpoint.Operator(e.getKey(), e.getValue().stateKind(),
                    e.getValue().partitioner().numPartitions());
            if (old == null) {
                LOG.info("[{}] Stateful operator {} is new: it starts with empty state after batch {}", appId, now,
                        cp.completedTime());
                e.getValue().startsAfter(cp.completedTime());
            } else if (!old.kind().equals(now.kind()) || old.numPartitions() != now.numPartitions()) {
                throw new IllegalStateException("The checkpoint in " + checkpointDir + " is incompatible with this "
                        + "application: its state of operator " + old + " cannot be used by operator " + now + " (the "
                        + (old.kind().equals(now.kind()) ? "number of partitions" : "kind of state") + " changed). "
                        + "Give the changed operator a new id with name(...)/uid(...) so that it starts empty, keep "
                        + "the old one, or start with a new checkpoint directory.");
            }
        }
        for (var old : saved.values()) {
            if (!current.containsKey(old.id())) {
                LOG.warn("[{}] The checkpoint has state of operator {}, which this application no longer has: that "
                        + "state is not used", appId, old);
            }
        }
    }

    private void restoreState(Time completed, LinkedHashMap<String, StatefulDStream<?, ?>> current,
                              LinkedHashMap<String, MetadataCheckpoint.Operator> saved) {
        var dir = new Path(checkpointDir);
        try {
            var snapshots = new StateSnapshots(dir.getFileSystem(hadoopConf), dir);
            for (var st : current.values()) {
                var old = saved.get(st.operatorId());
                if (old != null && st.restoreSavedState(snapshots, completed, old.restoreFrom()).isEmpty()) {
                    LOG.info("[{}] {}: no saved state at or before {}; it is rebuilt from the batches still available",
                            appId, st, completed);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the saved state under " + checkpointDir + ": " + e.getMessage(), e);
        }
    }

    private void restorePositions(MetadataCheckpoint cp) {
        var saved = new LinkedHashMap<String, MetadataCheckpoint.Source>();
        cp.sources().forEach(s -> saved.put(s.id(), s));
        for (SourcePosition position : graph.sourcePositions()) {
            var s = saved.remove(position.sourceId());
            if (s == null) {
                LOG.info("[{}] Input {} has no position in the checkpoint (new in this application, or the checkpoint "
                        + "predates positions): it starts from now", appId, position.sourceId());
                continue;
            }
            position.restore(s.formatVersion(), s.position());
        }
        for (String id : saved.keySet()) {
            LOG.warn("[{}] The checkpoint has the position of input {}, which this application no longer has", appId, id);
        }
    }
}
