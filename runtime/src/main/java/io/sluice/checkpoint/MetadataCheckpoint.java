package io.sluice.checkpoint;

import io.sluice.api.Time;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a restarted driver needs besides the application's own code, written when the context starts, after each batch
 * is generated (when an input saves a {@link SourcePosition}) and after each batch completes: the application's name
 * and batch interval (checked against the restarted application), the identity of the run and the zero time its batch
 * times count from, the last completed batch ({@code completedTime} equals {@code zeroTime} before the first one),
 * the batches generated but not completed then (they run again), the stateful operators of the graph by stable id (so
 * that an incompatible change of the graph is refused, naming it), and the positions of the inputs.
 */
public record MetadataCheckpoint(String appName, String runId, long batchDurationMs, Time zeroTime, Time completedTime,
                                 List<Time> pendingTimes, List<Operator> operators, List<Source> sources) {

    public MetadataCheckpoint {
        Objects.requireNonNull(runId, "runId");
        pendingTimes = List.copyOf(pendingTimes);
        operators = List.copyOf(operators);
        sources = List.copyOf(sources);
    }

    /** The newest batch time this checkpoint knows of: the last pending batch, else the completed one. */
    public Time newestBatch() {
        return pendingTimes.isEmpty() ? completedTime : pendingTimes.get(pendingTimes.size() - 1);
    }

    /** True before the run completed its first batch. */
    public boolean nothingCompleted() {
        return completedTime.equals(zeroTime);
    }

    /**
     * A stateful operator: its stable id, what kind of state it keeps, how many partitions, and the saved version of
     * its state a driver restarted from this checkpoint restores (null: none named; the newest saved version at or
     * before the completed batch is used).
     */
    public record Operator(String id, String kind, int numPartitions, Time restoreFrom) {
        public Operator(String id, String kind, int numPartitions) {
            this(id, kind, numPartitions, null);
        }

        @Override
        public String toString() {
            return "'" + id + "' (" + kind + ", " + numPartitions + " partitions)";
        }
    }

    /** The saved {@link SourcePosition} of one input: its id, the format version and the bytes it wrote. */
    public record Source(String id, int formatVersion, byte[] position) {
        public Source {
            Objects.requireNonNull(id, "id");
            position = position.clone();
        }

        @Override
        public byte[] position() {
            return position.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Source s && s.id.equals(id) && s.formatVersion == formatVersion
                    && Arrays.equals(s.position, position);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, formatVersion, Arrays.hashCode(position));
        }

        @Override
        public String toString() {
            return "Source[" + id + ", format " + formatVersion + ", " + position.length + " bytes]";
        }
    }
}
