package io.sluice.listener;

import java.util.Map;

/** What one input stream contributed to one batch: its record count and free-form metadata. */
public record StreamInputInfo(int inputStreamId, long numRecords, Map<String, Object> metadata) {
    public StreamInputInfo(int inputStreamId, long numRecords) {
        this(inputStreamId, numRecords, Map.of());
    }
}
