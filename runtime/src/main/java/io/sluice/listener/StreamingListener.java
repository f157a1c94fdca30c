package io.sluice.listener;

import io.sluice.listener.StreamingListenerEvent.BatchCompleted;
import io.sluice.listener.StreamingListenerEvent.BatchStarted;
import io.sluice.listener.StreamingListenerEvent.BatchSubmitted;
import io.sluice.listener.StreamingListenerEvent.OutputOperationCompleted;
import io.sluice.listener.StreamingListenerEvent.OutputOperationStarted;
import io.sluice.listener.StreamingListenerEvent.ReceiverError;
import io.sluice.listener.StreamingListenerEvent.ReceiverStarted;
import io.sluice.listener.StreamingListenerEvent.ReceiverStopped;
import io.sluice.listener.StreamingListenerEvent.StreamingStarted;

/**
 * Receives the events of a streaming application on the listener bus thread, one at a time and in order.
 * Override the methods of interest; a listener that throws is logged and keeps receiving events.
 */
public interface StreamingListener {
    default void onStreamingStarted(StreamingStarted event) {
    }

    default void onBatchSubmitted(BatchSubmitted event) {
    }

    default void onBatchStarted(BatchStarted event) {
    }

    default void onBatchCompleted(BatchCompleted event) {
    }

    default void onOutputOperationStarted(OutputOperationStarted event) {
    }

    default void onOutputOperationCompleted(OutputOperationCompleted event) {
    }

    default void onReceiverStarted(ReceiverStarted event) {
    }

    default void onReceiverError(ReceiverError event) {
    }

    default void onReceiverStopped(ReceiverStopped event) {
    }
}
