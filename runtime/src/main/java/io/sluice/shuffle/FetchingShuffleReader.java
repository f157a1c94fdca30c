package io.sluice.shuffle;

import io.sluice.cluster.ExecutorId;
import io.sluice.serde.Serializer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The reader of executors: looks up where each map output is, asks the {@link ShuffleBlockFetcher} for the
 * reducer's blocks at every location at once (so remote fetches overlap), and deserializes them one at a time, in
 * map order. Empty buckets are not fetched.
 */
public final class FetchingShuffleReader implements ShuffleReader {
    private final MapOutputLocations locations;
    private final ShuffleBlockFetcher fetcher;
    private final Serializer serializer;

    public FetchingShuffleReader(MapOutputLocations locations, ShuffleBlockFetcher fetcher, Serializer serializer) {
        this.locations = locations;
        this.fetcher = fetcher;
        this.serializer = serializer;
    }

    @Override
    public Iterator<Object> buckets(int shuffleId, int reducePartition) {
        List<MapStatus> statuses = locations.statuses(shuffleId);
        var mapsAt = new LinkedHashMap<ExecutorId, List<Integer>>();
        var order = new ArrayList<ExecutorId>(statuses.size());
        for (MapStatus s : statuses) {
            if (s.bytes(reducePartition) != 0) {
                mapsAt.computeIfAbsent(s.location(), l -> new ArrayList<>()).add(s.mapId());
                order.add(s.location());
            }
        }
        var streams = new LinkedHashMap<ExecutorId, Iterator<byte[]>>();
        mapsAt.forEach((location, maps) -> streams.put(location,
                fetcher.fetch(location, shuffleId, reducePartition, maps.stream().mapToInt(Integer::intValue).toArray())));
        return new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < order.size();
            }

            @Override
            public Object next() {
                if (next >= order.size()) {
                    throw new NoSuchElementException();
                }
                // blocks of one location arrive in map order, so taking the next one of the map's location
                // yields the buckets in map order overall
                byte[] block = streams.get(order.get(next++)).next();
                return serializer.deserialize(block);
            }
        };
    }
}
