package io.sluice.api;

import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The state of one key as seen by a {@link StateSpec mapWithState} function during one call: read it, replace it
 * or remove it. In the call that reports a timeout ({@link #isTimingOut()}) the state can only be read: the key is
 * removed after the call.
 */
public interface State<S> {

    /** Whether the key has a state (false after {@link #remove()}). */
    boolean exists();

    /** The state; throws {@link NoSuchElementException} if there is none. */
    S get();

    /** The state, or empty if there is none. */
    default Optional<S> getOption() {
        return exists() ? Optional.of(get()) : Optional.empty();
    }

    /** Replaces the state; an {@link IllegalArgumentException} if the state was removed or is timing out. */
    void update(S newState);

    /** Removes the key's state; an {@link IllegalArgumentException} if already removed or timing out. */
    void remove();

    /** True in the single call made for a key that was idle longer than the spec's timeout. */
    boolean isTimingOut();
}
