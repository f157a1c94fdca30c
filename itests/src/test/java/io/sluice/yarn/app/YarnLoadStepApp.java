package io.sluice.yarn.app;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.conf.SluiceConf;
import io.sluice.control.ExecutorAllocationController;
import io.sluice.listener.StreamingListener;
import io.sluice.listener.StreamingListenerEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The application of the YARN dynamic allocation test: a load step. Every batch (1 s) runs {@code tasks} tasks over
 * a constant dataset; batches {@code light + 1 .. light + heavy} (numbered from the first batch's time) sleep
 * {@code sleepMs} in each task, the others do not. Once the load is over, it runs until dynamic allocation has
 * brought the executor target and the registered executors back to {@code sluice.dynamicAllocation.minExecutors}
 * and a few more batches completed on that many, then stops gracefully; it fails (throws) if that takes longer than
 * three minutes, or if dynamic allocation is off.
 *
 * <p>Arguments: {@code <light> <heavy> <tasks> <sleepMs>}.
 */
public final class YarnLoadStepApp {
    private static final Logger LOG = LogManager.getLogger(YarnLoadStepApp.class);
    private static final Duration BATCH = Duration.ofSeconds(1);
    private static final int BATCHES_AT_MIN = 4;

    private YarnLoadStepApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        run(new SluiceConf(), args); // sluice.master=yarn and the rest come from the ApplicationMaster
    }

    /** The job on {@code conf}. */
    public static void run(SluiceConf conf, String[] args) throws InterruptedException {
        int light = Integer.parseInt(args[0]);
        int heavy = Integer.parseInt(args[1]);
        int tasks = Integer.parseInt(args[2]);
        long sleepMs = Long.parseLong(args[3]);
        int min = conf.get(SluiceConf.DYN_ALLOC_MIN);
        var ssc = new StreamingContext(conf, BATCH);
        var firstBatch = new AtomicLong(-1);
        var lastGenerated = new AtomicLong();
        var input = new ArrayList<Integer>();
        for (int i = 0; i < tasks; i++) {
            input.add(i);
        }
        ssc.constantStream(ssc.parallelize(input, tasks))
                .transform((ds, time) -> {
                    // on the driver, once per batch: the batch number decides the phase
                    firstBatch.compareAndSet(-1, time.milliseconds());
                    long n = (time.milliseconds() - firstBatch.get()) / BATCH.toMillis() + 1;
                    lastGenerated.set(n);
                    long perTask = n > light && n <= light + heavy ? sleepMs : 0;
                    return ds.map(x -> {
                        if (perTask > 0) {
                            Thread.sleep(perTask); // the per-record work of a heavy batch
                        }
                        return x;
                    });
                })
                .foreachRDD(ds -> ds.count());
        var completed = new AtomicInteger();
        var lastCompleted = new AtomicLong();
        ssc.addStreamingListener(new StreamingListener() {
            @Override
            public void onBatchCompleted(StreamingListenerEvent.BatchCompleted event) {
                completed.incrementAndGet();
                Time t = event.batchInfo().batchTime();
                lastCompleted.set((t.milliseconds() - firstBatch.get()) / BATCH.toMillis() + 1);
            }
        });
        ssc.start();
        try {
            ExecutorAllocationController controller = ssc.executorAllocationController();
            if (controller == null) {
                throw new IllegalStateException("dynamic allocation is not on (" + SluiceConf.DYN_ALLOC_ENABLED.name() + ")");
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            int maxTarget = 0;
            long atMinSince = -1; // the completed-batch count when target and executors were last seen back at min
            while (true) {
                int target = controller.target();
                int executors = ssc.context().slots() / Math.max(1, conf.get(SluiceConf.EXECUTOR_CORES));
                maxTarget = Math.max(maxTarget, target);
                boolean loadOver = lastCompleted.get() > light + heavy;
                if (loadOver && maxTarget > min && target == min && executors == min) {
                    if (atMinSince < 0) {
                        atMinSince = completed.get();
                        LOG.info("Back at {} executors after the load step (highest target {})", min, maxTarget);
                    } else if (completed.get() >= atMinSince + BATCHES_AT_MIN) {
                        break;
                    }
                } else {
                    atMinSince = -1;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("dynamic allocation did not go up and back to " + min
                            + " executors within 3 minutes: highest target " + maxTarget + ", target now " + target
                            + ", " + executors + " executors, batch " + lastCompleted.get() + " of " + lastGenerated.get()
                            + " completed");
                }
                Thread.sleep(200); // polling interval of the condition, not a wait for a result
            }
            LOG.info("{} batches completed, highest executor target {}; stopping", completed.get(), maxTarget);
        } finally {
            ssc.stop(true, true);
        }
    }
}
