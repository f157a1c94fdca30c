package io.sluice.state;

/** A reader asked a {@link StateStore} for a version it has already forgotten (or never had, after a restore). */
public final class StateVersionNotRetainedException extends IllegalStateException {
    public StateVersionNotRetainedException(String message) {
        super(message);
    }
}
