package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;

/**
 * A reducer could not get a map output's block: the process holding it is gone or no longer has it. Distinct from
 * other task failures because the remedy is to run the map task again, not to retry the reducer alone.
 */
public final class ShuffleFetchException extends RuntimeException {
    private final ExecutorId location;
    private final int shuffleId;
    private final int mapId;
    private final int reduceId;

    public ShuffleFetchException(ExecutorId location, int shuffleId, int mapId, int reduceId, String reason,
                                 Throwable cause) {
        super("Cannot fetch block " + ShuffleBlockStore.blockName(shuffleId, mapId, reduceId) + " from " + location
                + ": " + reason, cause);
        this.location = location;
        this.shuffleId = shuffleId;
        this.mapId = mapId;
        this.reduceId = reduceId;
    }

    public ExecutorId location() {
        return location;
    }

    public int shuffleId() {
        return shuffleId;
    }

    public int mapId() {
        return mapId;
    }

    public int reduceId() {
        return reduceId;
    }
}
