package io.sluice.listener;

/** The state of one receiver: where it runs and its last error, if any. */
public record ReceiverInfo(int streamId, String name, boolean active, String location, String executorId,
                           String lastErrorMessage, String lastError, long lastErrorTime) {
}
