package io.sluice.state;

import io.sluice.api.State;
import java.util.NoSuchElementException;

/**
 * The {@link State} handed to a mapWithState function, re-targeted at each key in turn. After the call, the
 * engine reads {@link #isUpdated()} and {@link #isRemoved()} to change the store.
 */
public final class StateImpl<S> implements State<S> {
    private S state;
    private boolean defined;
    private boolean timingOut;
    private boolean updated;
    private boolean removed;

    /** Points this object at a key's state ({@code exists} false: the key has none). */
    public void wrap(S value, boolean exists) {
        this.state = value;
        this.defined = exists;
        this.timingOut = false;
        this.updated = false;
        this.removed = false;
    }

    /** Points this object at the state of a key that is timing out: readable, not changeable. */
    public void wrapTimingOut(S value) {
        wrap(value, true);
        this.timingOut = true;
    }

    @Override
    public boolean exists() {
        return defined;
    }

    @Override
    public S get() {
        if (!defined) {
            throw new NoSuchElementException("State is not set");
        }
        return state;
    }

    @Override
    public void update(S newState) {
        if (removed) {
            throw new IllegalArgumentException("requirement failed: Cannot update the state after it has been removed");
        }
        if (timingOut) {
            throw new IllegalArgumentException("requirement failed: Cannot update the state that is timing out");
        }
        state = newState;
        defined = true;
        updated = true;
    }

    @Override
    public void remove() {
        if (timingOut) {
            throw new IllegalArgumentException("requirement failed: Cannot remove the state that is timing out");
        }
        if (removed) {
            throw new IllegalArgumentException("requirement failed: Cannot remove the state that has already been removed");
        }
        state = null;
        defined = false;
        updated = false;
        removed = true;
    }

    @Override
    public boolean isTimingOut() {
        return timingOut;
    }

    public boolean isUpdated() {
        return updated;
    }

    public boolean isRemoved() {
        return removed;
    }

    @Override
    public String toString() {
        return defined ? "State[" + state + "]" : "State[<none>]";
    }
}
