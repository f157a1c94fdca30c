package io.sluice.dstream;

import io.sluice.api.Time;

/** The work of one output operation for one batch. */
public record Job(Time time, int outputOpId, String name, String description, Body body) {

    /** What the job does; may throw. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }
}
