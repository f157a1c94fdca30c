package io.sluice.supervision;

/**
 * The lifecycle of a supervised driver, the same for every backend:
 *
 * <pre>
 * SUBMITTED ──▶ STARTING ──▶ RUNNING ──▶ SUCCEEDED
 *                  ▲   │        │    └──▶ FAILED / KILLED
 *                  │   └────────┴──▶ BACKING_OFF (the policy restarts it after a delay)
 *                  └────────────────────┘
 * </pre>
 *
 * STARTING: the driver's process (JVM, container) is being started and its main runs up to its streaming context's
 * start; RUNNING: its streaming context started; BACKING_OFF: it ended and the restart policy starts it again
 * after a delay. SUCCEEDED, FAILED and KILLED are final.
 */
public enum DriverState {
    SUBMITTED, STARTING, RUNNING, BACKING_OFF, SUCCEEDED, FAILED, KILLED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == KILLED;
    }

    /** Whether the lifecycle allows going from this state to {@code next}. */
    public boolean canMoveTo(DriverState next) {
        return switch (this) {
            case SUBMITTED -> next == STARTING || next == BACKING_OFF || next.isFinal();
            case STARTING -> next == RUNNING || next == BACKING_OFF || next.isFinal();
            case RUNNING -> next == BACKING_OFF || next.isFinal();
            case BACKING_OFF -> next == STARTING || next.isFinal();
            case SUCCEEDED, FAILED, KILLED -> false;
        };
    }
}
