package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.listener.StreamInputInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Collects, per batch, what each input stream contributed, until the batch's info is taken. */
public final class InputInfoTracker {
    private final ConcurrentHashMap<Time, Map<Integer, StreamInputInfo>> infos = new ConcurrentHashMap<>();

    public void report(Time batchTime, StreamInputInfo info) {
        infos.computeIfAbsent(batchTime, t -> new ConcurrentHashMap<>()).put(info.inputStreamId(), info);
    }

    /** The infos of {@code batchTime}, removed from the tracker. */
    public Map<Integer, StreamInputInfo> take(Time batchTime) {
        Map<Integer, StreamInputInfo> m = infos.remove(batchTime);
        return m == null ? Map.of() : Map.copyOf(new HashMap<>(m));
    }
}
