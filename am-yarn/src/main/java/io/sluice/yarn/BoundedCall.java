package io.sluice.yarn;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One blocking call to the ResourceManager on a thread of its own, waited for at most a given time: the Hadoop
 * clients retry an unreachable ResourceManager for as long as {@code yarn.resourcemanager.connect.max-wait.ms}
 * (15 minutes by default, right for a running AM riding out a ResourceManager restart, too long for a first
 * registration nobody would wait for).
 */
final class BoundedCall {
    private BoundedCall() {
    }

    /**
     * @param what names the call in the thread's name and in the timeout's message
     * @throws TimeoutException if {@code call} did not end within {@code timeout} (it is interrupted)
     * @throws Exception        what {@code call} threw
     */
    static <T> T call(String what, Duration timeout, Callable<T> call) throws Exception {
        var task = new FutureTask<>(call);
        var thread = new Thread(task, "sluice-yarn-" + what.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new TimeoutException("no answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
    }
}
