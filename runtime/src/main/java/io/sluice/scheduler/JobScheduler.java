package io.sluice.scheduler;

import io.sluice.api.Time;
import io.sluice.dstream.Job;
import io.sluice.listener.BatchInfo;
import io.sluice.listener.ListenerBus;
import io.sluice.listener.OutputOperationInfo;
import io.sluice.listener.StreamingListenerEvent;
import io.sluice.util.Clock;
import io.sluice.util.NamedThreadFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs each batch's jobs one batch at a time, output operations in declaration order, and keeps the batch
 * bookkeeping (times, input records, per-operation outcome). A failing output operation is logged, recorded in the
 * batch's info and reported to the error reporter (the streaming context's waiter, as Spark's JobScheduler reports
 * to its ContextWaiter) as an {@link OutputOperationFailedException}; the next operation and the next batch still run.
 */
public final class JobScheduler {
    private static final Logger LOG = LogManager.getLogger(JobScheduler.class);
    private static final int RETAINED_BATCHES = 1000;

    private final Clock clock;
    private final ListenerBus bus;
    private final String appId;
    private final ExecutorService executor =
            Executors.newSingleThreadExecutor(new NamedThreadFactory("sluice-streaming-job-executor", true));
    private final Deque<BatchInfo> completed = new ArrayDeque<>();
    private final Map<Time, BatchInfo> pending = new LinkedHashMap<>();
    private final BiConsumer<String, Throwable> errorReporter;
    private volatile Consumer<Time> onBatchCompleted = t -> { };
    private long completedCount;
    private Time lastCompletedTime;

    /** @param errorReporter told of every failed output operation (on the job thread); must not block */
    public JobScheduler(Clock clock, ListenerBus bus, String appId, BiConsumer<String, Throwable> errorReporter) {
        this.clock = clock;
        this.bus = bus;
        this.appId = appId;
        this.errorReporter = errorReporter;
    }

    /** Called (on the job thread) after each batch completes. */
    public void setOnBatchCompleted(Consumer<Time> callback) {
        this.onBatchCompleted = callback;
    }

    public void submit(JobSet jobSet) {
        var info = new BatchInfo(jobSet.time(), jobSet.inputInfos(), jobSet.submissionTime(), -1, -1,
                initialOpInfos(jobSet));
        synchronized (this) {
            pending.put(jobSet.time(), info);
        }
        bus.post(new StreamingListenerEvent.BatchSubmitted(info));
        executor.execute(() -> runBatch(jobSet, info));
    }

    private static Map<Integer, OutputOperationInfo> initialOpInfos(JobSet jobSet) {
        var ops = new LinkedHashMap<Integer, OutputOperationInfo>();
        for (Job j : jobSet.jobs()) {
            ops.put(j.outputOpId(), new OutputOperationInfo(jobSet.time(), j.outputOpId(), j.name(), j.description(),
                    -1, -1, null));
        }
        return ordered(ops);
    }

    /** An unmodifiable view that keeps the output operations in declaration order (Map.copyOf would not). */
    private static Map<Integer, OutputOperationInfo> ordered(Map<Integer, OutputOperationInfo> ops) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(ops));
    }

    private void runBatch(JobSet jobSet, BatchInfo submitted) {
        long start = clock.currentTimeMillis();
        var ops = new LinkedHashMap<>(submitted.outputOperationInfos());
        var running = new BatchInfo(jobSet.time(), jobSet.inputInfos(), jobSet.submissionTime(), start, -1, ordered(ops));
        synchronized (this) {
            pending.put(jobSet.time(), running);
        }
        bus.post(new StreamingListenerEvent.BatchStarted(running));
        for (Job job : jobSet.jobs()) {
            var op = ops.get(job.outputOpId()).started(clock.currentTimeMillis());
            bus.post(new StreamingListenerEvent.OutputOperationStarted(op));
            String failure = null;
            try {
                job.body().run();
            } catch (Throwable t) {
                LOG.error("[{}] Error running output operation {} ({}) of batch {}", appId, job.outputOpId(),
                        job.name(), jobSet.time(), t);
                failure = stackTrace(t);
                reportFailure(new OutputOperationFailedException(jobSet.time(), job.outputOpId(), job.name(), t));
            }
            var done = new OutputOperationInfo(op.batchTime(), op.id(), op.name(), op.description(), op.startTime(),
                    clock.currentTimeMillis(), failure);
            ops.put(job.outputOpId(), done);
            bus.post(new StreamingListenerEvent.OutputOperationCompleted(done));
        }
        var info = new BatchInfo(jobSet.time(), jobSet.inputInfos(), jobSet.submissionTime(), start,
                clock.currentTimeMillis(), ordered(ops));
        LOG.debug("[{}] Finished batch {} in {} ms", appId, jobSet.time(), info.processingDelay().orElse(-1));
        synchronized (this) {
            pending.remove(jobSet.time());
            completed.addLast(info);
            if (completed.size() > RETAINED_BATCHES) {
                completed.removeFirst();
            }
            // posted before waiters learn the batch completed, so that whoever waits for n completed batches and
            // then for the listener bus to drain also sees batch n's BatchCompleted event
            bus.post(new StreamingListenerEvent.BatchCompleted(info));
            completedCount++;
            lastCompletedTime = jobSet.time();
            notifyAll();
        }
        try {
            onBatchCompleted.accept(jobSet.time());
        } catch (RuntimeException e) {
            LOG.error("[{}] Error after batch {}", appId, jobSet.time(), e);
        }
    }

    private void reportFailure(OutputOperationFailedException e) {
        try {
            errorReporter.accept(e.getMessage(), e);
        } catch (RuntimeException r) {
            LOG.error("[{}] Error reporting the failure of output operation {} of batch {}", appId, e.outputOpId(),
                    e.batchTime(), r);
        }
    }

    private static String stackTrace(Throwable t) {
        var sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    /** Waits until at least {@code n} batches have completed; false on timeout. */
    public synchronized boolean awaitCompletedBatches(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (completedCount < n) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 100));
        }
        return true;
    }

    public synchronized long completedBatchCount() {
        return completedCount;
    }

    public synchronized Time lastCompletedTime() {
        return lastCompletedTime;
    }

    /** True if batch {@code time} completed with a failed output operation (among the retained batches). */
    public synchronized boolean batchFailed(Time time) {
        for (var it = completed.descendingIterator(); it.hasNext(); ) {
            BatchInfo b = it.next();
            if (b.batchTime().equals(time)) {
                return b.failed();
            }
        }
        return false;
    }

    /** The retained completed batches, oldest first. */
    public synchronized List<BatchInfo> completedBatches() {
        return new ArrayList<>(completed);
    }

    /** Batches submitted or running, oldest first. */
    public synchronized List<BatchInfo> pendingBatches() {
        return new ArrayList<>(pending.values());
    }

    /** Stops running batches: a graceful stop lets queued batches finish first (up to {@code timeout}). */
    public void stop(boolean graceful, Duration timeout) {
        if (graceful) {
            executor.shutdown();
        } else {
            executor.shutdownNow();
        }
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("[{}] Batches still running after {} ms; stopping them", appId, timeout.toMillis());
                executor.shutdownNow();
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
