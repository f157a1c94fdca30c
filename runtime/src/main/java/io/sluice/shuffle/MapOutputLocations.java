package io.sluice.shuffle;

import java.util.List;

/**
 * Where the map outputs of a shuffle are. The driver's {@link MapOutputTracker} answers directly; an executor asks
 * the driver through the transport.
 */
@FunctionalInterface
public interface MapOutputLocations {

    /**
     * The status of every map output of {@code shuffleId}, in map order. Fails with an
     * {@link IllegalStateException} naming the shuffle and the map when an output is missing or the shuffle is
     * unknown.
     */
    List<MapStatus> statuses(int shuffleId);
}
