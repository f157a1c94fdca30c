package io.sluice.listener;

/** The events of a streaming application, delivered in order to every {@link StreamingListener}. */
public sealed interface StreamingListenerEvent {

    record StreamingStarted(long time) implements StreamingListenerEvent {
    }

    record BatchSubmitted(BatchInfo batchInfo) implements StreamingListenerEvent {
    }

    record BatchStarted(BatchInfo batchInfo) implements StreamingListenerEvent {
    }

    record BatchCompleted(BatchInfo batchInfo) implements StreamingListenerEvent {
    }

    record OutputOperationStarted(OutputOperationInfo outputOperationInfo) implements StreamingListenerEvent {
    }

    record OutputOperationCompleted(OutputOperationInfo outputOperationInfo) implements StreamingListenerEvent {
    }

    record ReceiverStarted(ReceiverInfo receiverInfo) implements StreamingListenerEvent {
    }

    record ReceiverError(ReceiverInfo receiverInfo) implements StreamingListenerEvent {
    }

    record ReceiverStopped(ReceiverInfo receiverInfo) implements StreamingListenerEvent {
    }
}
