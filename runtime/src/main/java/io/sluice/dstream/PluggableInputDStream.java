package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.receiver.Receiver;
import java.util.Objects;

/** The stream of a user-supplied {@link Receiver} ({@code StreamingContext.receiverStream}). */
public final class PluggableInputDStream<T> extends ReceiverInputDStream<T> {
    private final Receiver<T> receiver;

    public PluggableInputDStream(StreamingContext ssc, Receiver<T> receiver) {
        super(ssc, "receiverStream");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    @Override
    public Receiver<T> getReceiver() {
        return receiver;
    }
}
