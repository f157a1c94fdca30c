package io.sluice.checkpoint;

import io.sluice.api.Time;
import java.util.List;

/**
 * What a restarted driver needs besides the application's own code, written after every completed batch: the
 * application's name and batch interval (checked against the restarted application), the zero time its batch times
 * count from, the last completed batch, the batches generated but not completed then (they run again), and the
 * stateful operators of the graph by stable id (so that an incompatible change of the graph is refused, naming it).
 */
public record MetadataCheckpoint(String appName, long batchDurationMs, Time zeroTime, Time completedTime,
                                 List<Time> pendingTimes, List<Operator> operators) {

    public MetadataCheckpoint {
        pendingTimes = List.copyOf(pendingTimes);
        operators = List.copyOf(operators);
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
}
