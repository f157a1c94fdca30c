package io.sluice.checkpoint;

import io.sluice.api.Time;

/**
 * The position of an input that can read its input again, saved in every metadata checkpoint so that a restarted
 * driver gives each batch it runs again, or replays into state, exactly the input that batch had (the files it took,
 * the offset ranges it read), and then continues where the input stood.
 *
 * <p>Inputs implement this through {@link io.sluice.dstream.InputDStream#position()}; the driver's checkpointing
 * finds them there, so a new kind of input needs no change elsewhere. Every method is called on the job generator's
 * thread, which is also where the input computes its batches; {@link #restore} is called before the context starts.
 *
 * <p>The driver saves a position after generating each batch and before that batch's jobs run, so a batch whose
 * output may already exist always runs again with the same input.
 */
public interface SourcePosition {

    /**
     * Identifies this input in checkpoints across restarts of the application (and across upgrades of its code): stable
     * for the same input, different for different inputs of one application, e.g. the kind of input and its
     * directory or topics.
     */
    String sourceId();

    /** The version of what {@link #save} writes; {@link #restore} is given the version that was written. */
    int formatVersion();

    /**
     * The input of every batch after {@code after} that this input has produced, and whatever it needs to continue after
     * the newest of them, encoded in {@link #formatVersion()}.
     */
    byte[] save(Time after);

    /**
     * Before the context starts: takes over a position {@link #save saved} by an earlier driver of this application.
     *
     * @throws IllegalStateException if {@code formatVersion} is not one this input reads (the message says what to do)
     */
    void restore(int formatVersion, byte[] position);

    /** Batches up to {@code time} will never run again nor be replayed: their input may be forgotten. */
    void forgetUpTo(Time time);
}
