package io.sluice.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A backend whose launches stay open until the test answers them; records releases. Public for tests in other packages. */
public final class TestingClusterBackend implements ClusterBackend {
    public final List<CompletableFuture<ExecutorId>> launches = new ArrayList<>();
    public final List<ExecutorId> released = new ArrayList<>();
    /** The spec of each launch, in order. */
    public final List<ExecutorSpec> specs = new ArrayList<>();
    private int next;

    @Override
    public void start(ExecutorEventHandler events, Executor mainThread, Executor io) {
    }

    @Override
    public CompletableFuture<ExecutorId> launchExecutor(ExecutorSpec spec) {
        var f = new CompletableFuture<ExecutorId>();
        launches.add(f);
        specs.add(spec);
        return f;
    }

    /** Accepts every open launch, naming executors exec-0, exec-1, ... */
    public List<ExecutorId> acceptAll() {
        var ids = new ArrayList<ExecutorId>();
        for (var f : List.copyOf(launches)) { // completing one may launch more (a direct main thread)
            if (!f.isDone()) {
                var id = new ExecutorId("exec-" + next++);
                f.complete(id);
                ids.add(id);
            }
        }
        return ids;
    }

    @Override
    public void releaseExecutor(ExecutorId id) {
        released.add(id);
    }

    /** The final status given to {@link #deregister}, or null. */
    public FinalStatus finalStatus;

    @Override
    public void deregister(FinalStatus status, String diagnostics) {
        finalStatus = status;
    }

    @Override
    public void stop() {
    }
}
