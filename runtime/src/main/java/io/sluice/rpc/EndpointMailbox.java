package io.sluice.rpc;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one endpoint's messages one at a time, in arrival order, on a shared pool: the endpoint needs no locks,
 * and a busy endpoint occupies one pool thread, not all of them.
 *
 * <p>Threading: {@link #execute} may be called from any thread.
 */
final class EndpointMailbox implements Executor {
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor pool;

    EndpointMailbox(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        schedule();
    }

    private void schedule() {
        if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RuntimeException e) {
                scheduled.set(false);
                throw e;
            }
        }
    }

    private void drain() {
        try {
            Runnable task;
            while ((task = queue.poll()) != null) {
                task.run();
            }
        } finally {
            scheduled.set(false);
            schedule(); // a task added between the last poll and the reset must not be stranded
        }
    }
}
