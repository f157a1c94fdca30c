package io.sluice.listener;

import io.sluice.api.Time;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One output operation of one batch: when it started and ended (clock milliseconds, -1 while unknown) and why it
 * failed, if it did.
 */
public record OutputOperationInfo(Time batchTime, int id, String name, String description, long startTime,
                                  long endTime, String failureReason) {

    public OptionalLong duration() {
        return startTime >= 0 && endTime >= 0 ? OptionalLong.of(endTime - startTime) : OptionalLong.empty();
    }

    public Optional<String> failure() {
        return Optional.ofNullable(failureReason);
    }

    public OutputOperationInfo started(long at) {
        return new OutputOperationInfo(batchTime, id, name, description, at, -1, null);
    }
}
