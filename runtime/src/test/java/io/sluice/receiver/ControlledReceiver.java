package io.sluice.receiver;

import io.sluice.storage.StorageLevel;
import java.util.concurrent.atomic.AtomicInteger;

/** A receiver with no source of its own: the test stores records through it and watches its lifecycle calls. */
public class ControlledReceiver<T> extends Receiver<T> {
    private static final long serialVersionUID = 1L;

    public final transient AtomicInteger starts = new AtomicInteger();
    public final transient AtomicInteger stops = new AtomicInteger();

    public ControlledReceiver() {
        super(StorageLevel.MEMORY_ONLY);
    }

    @Override
    public void onStart() {
        starts.incrementAndGet();
    }

    @Override
    public void onStop() {
        stops.incrementAndGet();
    }
}
