package io.sluice.receiver;

import io.sluice.storage.StorageLevel;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * A long-running source that pulls or accepts data from outside and stores it into Sluice.
 *
 * <p>Implement {@link #onStart()} to set up connections and start the receiver's own threads (it must not block),
 * and {@link #onStop()} to release them. Those threads call {@link #store} for the data and, while
 * {@link #isStopped()} is false, keep receiving. On a recoverable failure (lost connection) call
 * {@link #restart(String, Throwable)}: the receiver is stopped, and started again after
 * {@code sluice.streaming.receiver.restartDelay}. {@link #stop(String)} stops it for good.
 *
 * <pre>{@code
 * class CountingReceiver extends Receiver<Long> {
 *     CountingReceiver() { super(StorageLevel.MEMORY_ONLY); }
 *     public void onStart() {
 *         new Thread(() -> { for (long i = 0; !isStopped(); i++) store(i); }, "counting-receiver").start();
 *     }
 *     public void onStop() { }   // the thread sees isStopped() and ends
 * }
 * ssc.receiverStream(new CountingReceiver()).print();
 * }</pre>
 *
 * The receiver runs under a {@link ReceiverSupervisor}, which calls {@code onStart}/{@code onStop}, cuts single
 * records into blocks every block interval, and reports errors and state changes as listener events.
 */
public abstract class Receiver<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final StorageLevel storageLevel;
    private volatile int streamId = -1;
    private transient volatile ReceiverSupervisor<T> supervisor;

    protected Receiver(StorageLevel storageLevel) {
        this.storageLevel = Objects.requireNonNull(storageLevel, "storageLevel");
        if (!storageLevel.isValid()) {
            throw new IllegalArgumentException("A receiver needs a storage level that keeps data (memory and/or disk), got "
                    + storageLevel);
        }
    }

    /** Sets up receiving and starts the receiver's threads. Must return promptly; never blocks on the source. */
    public abstract void onStart();

    /** Releases what {@link #onStart()} set up (close sockets, let threads end). Called on stop and before a restart. */
    public abstract void onStop();

    /** Where the receiver would like to run (a host name), or null for anywhere. */
    public String preferredLocation() {
        return null;
    }

    // ---------------------------------------------------------------- storing data

    /** Stores one record; it goes into the block of the current block interval. Blocks while over the rate limit. */
    public final void store(T record) {
        supervisor().pushSingle(record);
    }

    /**
     * Stores the records as one block of their own, immediately: not cut by the block interval and not held back by
     * the rate limit (the caller decides the block size, e.g. one block per expected partition).
     */
    public final void store(Iterator<T> records) {
        var list = new ArrayList<T>();
        records.forEachRemaining(list::add);
        supervisor().pushBlock(list);
    }

    /** Like {@link #store(Iterator)}: the records become one block of their own, immediately. */
    public final void store(List<T> records) {
        supervisor().pushBlock(new ArrayList<>(records));
    }

    // ---------------------------------------------------------------- control

    /** Reports a non-fatal error: published as a receiver error event; the receiver keeps running. */
    public final void reportError(String message, Throwable error) {
        supervisor().reportError(message, error);
    }

    /** Stops the receiver and starts it again after {@code sluice.streaming.receiver.restartDelay}. Returns at once. */
    public final void restart(String message) {
        supervisor().restartReceiver(message, null, null);
    }

    /** Like {@link #restart(String)}, reporting {@code error} as the cause. */
    public final void restart(String message, Throwable error) {
        supervisor().restartReceiver(message, error, null);
    }

    /** Like {@link #restart(String, Throwable)}, starting again after {@code delay} instead of the configured delay. */
    public final void restart(String message, Throwable error, Duration delay) {
        supervisor().restartReceiver(message, error, delay);
    }

    /** Stops the receiver for good. Returns at once. */
    public final void stop(String message) {
        supervisor().stopReceiver(message, null);
    }

    /** Stops the receiver for good because of {@code error}. Returns at once. */
    public final void stop(String message, Throwable error) {
        supervisor().stopReceiver(message, error);
    }

    /** True between a successful {@link #onStart()} and the next stop or restart. */
    public final boolean isStarted() {
        ReceiverSupervisor<T> s = supervisor;
        return s != null && s.isReceiverStarted();
    }

    /** True once the receiver is asked to stop (also while a restart is pending); receiving threads should end. */
    public final boolean isStopped() {
        ReceiverSupervisor<T> s = supervisor;
        return s == null || s.isReceiverStopped();
    }

    /** The id of the input stream this receiver feeds, or -1 before the context starts it. */
    public final int streamId() {
        return streamId;
    }

    public final StorageLevel storageLevel() {
        return storageLevel;
    }

    // ---------------------------------------------------------------- engine internals

    /** Engine-internal: binds this receiver to its stream and supervisor before it starts. */
    final void attach(int streamId, ReceiverSupervisor<T> supervisor) {
        if (this.supervisor != null && this.supervisor != supervisor) {
            throw new IllegalStateException("Receiver " + getClass().getName() + " is already attached to stream "
                    + this.streamId + "; a receiver instance can feed only one input stream");
        }
        this.streamId = streamId;
        this.supervisor = supervisor;
    }

    /** The supervisor that runs this receiver; for the engine and for tests that drive a receiver directly. */
    public final ReceiverSupervisor<T> supervisor() {
        ReceiverSupervisor<T> s = supervisor;
        if (s == null) {
            throw new IllegalStateException("Receiver " + getClass().getName()
                    + " has not been started: it runs only inside a started StreamingContext");
        }
        return s;
    }
}
