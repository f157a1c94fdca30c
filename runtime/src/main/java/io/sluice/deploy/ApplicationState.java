package io.sluice.deploy;

/**
 * Where a submitted application is in its life, in one vocabulary for every cluster manager (each submitter maps its
 * own states onto these and keeps its words in {@link ApplicationStatus#nativeState()}).
 */
public enum ApplicationState {
    /** Accepted by the cluster manager; nothing of it runs yet. */
    SUBMITTED(false),
    /** The driver's process (YARN: the ApplicationMaster) is being started. */
    STARTING(false),
    /** The driver runs. */
    RUNNING(false),
    /** The driver failed and the cluster manager is starting it again (YARN: a further application attempt). */
    RESTARTING(false),
    SUCCEEDED(true),
    FAILED(true),
    /** Ended because someone killed it. */
    KILLED(true);

    private final boolean terminal;

    ApplicationState(boolean terminal) {
        this.terminal = terminal;
    }

    /** True once the application ended; it never leaves a terminal state. */
    public boolean isTerminal() {
        return terminal;
    }
}
