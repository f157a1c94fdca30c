package io.sluice.cluster;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What every {@link ClusterBackend} needs besides its cluster manager's calls: the lifecycle (NEW, RUNNING, STOPPED;
 * {@code start} once, {@code stop} idempotent, launches refused unless running or once deregistered), the executors
 * it was given at start (checked: a getter before start fails), and the threading: events reach the handler on the
 * main thread, in the order the backend reported them, never after stop; work a backend hands to
 * {@link #runOnMainThread} or wraps with {@link #guarded} sends any throwable to the fatal handler instead of losing it
 * in a pool thread.
 *
 * <p>Subclasses implement {@link #doStart()}, {@link #doLaunch}, {@link #releaseExecutor}, {@link #doStop()} and, if
 * their cluster manager has a notion of it, {@link #doDeregister}. The state changes are synchronized on {@code this},
 * so a subclass may check {@link #isRunning()} and act atomically inside {@code synchronized (this)}.
 */
public abstract class AbstractClusterBackend implements ClusterBackend {
    private static final Logger LOG = LogManager.getLogger(AbstractClusterBackend.class);

    /** The lifecycle; STOPPED is terminal. */
    protected enum State { NEW, RUNNING, STOPPED }

    private State state = State.NEW; // guarded by this
    private FinalStatus finalStatus; // guarded by this
    private volatile ExecutorEventHandler events;
    private volatile Executor mainThread;
    private volatile Executor io;

    /** A name for messages, e.g. {@code the YARN backend of application_1_0001}. */
    protected abstract String describe();

    @Override
    public final void start(ExecutorEventHandler events, Executor mainThread, Executor io) {
        synchronized (this) {
            if (state != State.NEW) {
                throw new IllegalStateException(describe() + " was already started (" + state + ")");
            }
            this.events = events;
            this.mainThread = mainThread;
            this.io = io;
            state = State.RUNNING;
        }
        try {
            doStart();
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        } catch (Exception e) {
            stop();
            throw new IllegalStateException(describe() + " could not start: " + e.getMessage(), e);
        }
    }

    /** Connects to the cluster manager (called once by {@link #start}, which stops the backend if this throws). */
    protected abstract void doStart() throws Exception;

    /**
     * Fails the future (without calling {@link #doLaunch}) unless the backend is running and not deregistered.
     */
    @Override
    public final CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec) {
        synchronized (this) {
            if (state != State.RUNNING) {
                return CompletableFuture.failedFuture(new IllegalStateException(describe() + " is " + state + ", not running"));
            }
            if (finalStatus != null) {
                return CompletableFuture.failedFuture(new IllegalStateException(describe() + " was deregistered ("
                        + finalStatus + "): the application ended"));
            }
        }
        try {
            return doLaunch(spec);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Launches one executor (see {@link ClusterBackend#launchExecutor}); a throw fails the future. */
    protected abstract CompletableFuture<ExecutorId> doLaunch(ExecutorSpec spec);

    @Override
    public final void deregister(FinalStatus status, String diagnostics) {
        synchronized (this) {
            if (finalStatus != null || state != State.RUNNING) {
                return;
            }
            finalStatus = status;
        }
        LOG.info("{}: deregistering as {}{}", describe(), status, diagnostics == null || diagnostics.isEmpty() ? "" : ": " + diagnostics);
        doDeregister(status, diagnostics == null ? "" : diagnostics);
    }

    /** Tells the cluster manager the final status; by default nothing (no cluster manager to tell). */
    protected void doDeregister(FinalStatus status, String diagnostics) {
    }

    /** The final status given to {@link #deregister}, if any. */
    public final synchronized Optional<FinalStatus> finalStatus() {
        return Optional.ofNullable(finalStatus);
    }

    /** Stops once: drops every later event, then {@link #doStop()}. Idempotent. */
    @Override
    public final void stop() {
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STOPPED;
        }
        doStop();
    }

    /**
     * Releases everything the backend holds (processes, containers, clients, threads); reports the first failure, the
     * others suppressed. Called once, also for a backend that was never started (then it releases what its
     * constructor acquired). Events reported from here on are dropped.
     */
    protected abstract void doStop();

    protected final synchronized State state() {
        return state;
    }

    protected final synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /** The I/O executor given at start, for blocking work. */
    protected final Executor io() {
        Executor e = io;
        if (e == null) {
            throw new IllegalStateException(describe() + " is not started");
        }
        return e;
    }

    // ------------------------------------------------------------------ events, on the main thread

    protected final void reportLaunched(ExecutorId id, String host) {
        post(id, h -> h.executorLaunched(id, host));
    }

    protected final void reportLost(ExecutorId id, ExecutorLossReason reason, String diagnostics) {
        post(id, h -> h.executorLost(id, reason, diagnostics));
    }

    protected final void reportRecovered(List<ExecutorId> ids) {
        post(null, h -> h.executorsRecovered(ids));
    }

    protected final void reportFatal(Throwable error) {
        post(null, h -> h.fatalError(error));
    }

    private void post(ExecutorId id, java.util.function.Consumer<ExecutorEventHandler> event) {
        runOnMainThread(() -> {
            if (state() == State.STOPPED) {
                return; // after stop: nothing more to tell
            }
            event.accept(events);
        }, id);
    }

    /**
     * Runs {@code task} on the main thread given at start; a throwable goes to the fatal handler. Dropped (and logged)
     * when the main thread no longer takes work, i.e. the driver is shutting down.
     */
    protected final void runOnMainThread(Runnable task) {
        runOnMainThread(task, null);
    }

    private void runOnMainThread(Runnable task, ExecutorId id) {
        Executor main = mainThread;
        if (main == null) {
            throw new IllegalStateException(describe() + " is not started");
        }
        try {
            main.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event{} dropped, the main thread is shut down", describe(), id == null ? "" : " for executor " + id);
        }
    }

    /**
     * {@code task}, with any throwable it throws sent to the fatal handler (on the main thread) rather than lost in the
     * thread that runs it: for a backend's own callback threads.
     */
    protected final Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("{}: unexpected failure", describe(), t);
                ExecutorEventHandler h = events;
                if (h != null && state() != State.STOPPED) {
                    h.fatalError(t);
                }
            }
        };
    }
}
