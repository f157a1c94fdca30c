package io.sluice.supervision.app;

import io.sluice.api.Pair;
import io.sluice.api.PairDStream;
import io.sluice.api.StreamingContext;
import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The driver of the driver-supervision contract, written as a user would: a stateful count of its batches
 * (updateStateByKey over a constant stream, its state saved every batch) built through
 * {@link StreamingContext#getOrCreate}, so a restarted driver continues from its checkpoint; it only starts its
 * context and waits. On attempts up to {@code failUpTo} ({@code sluice.app.attempt}) an output operation fails once
 * that attempt completed {@code failAfter} batches over at least {@code failAfterMs} (wall clock) and its progress
 * is in a metadata checkpoint, so {@code awaitTermination()} throws and the driver fails; a later attempt stops
 * gracefully and returns once it completed {@code finishAfter} batches.
 *
 * <p>Each attempt writes {@code <output>/attempt-<n>} holding {@code recovering=<true|false>} and, after its first
 * batch, {@code firstCount=<the count then>} (on any Hadoop file system).
 *
 * <p>Arguments: {@code <checkpoint dir> <output dir> <failUpTo> <failAfter> <failAfterMs> <finishAfter>}.
 */
public final class SupervisedCountingApp {
    public static final Duration BATCH = Duration.ofSeconds(1);

    private SupervisedCountingApp() {
    }

    public static void main(String[] args) throws Exception {
        String checkpoint = args[0];
        Path output = new Path(args[1]);
        int failUpTo = Integer.parseInt(args[2]);
        int failAfter = Integer.parseInt(args[3]);
        long failAfterMs = Long.parseLong(args[4]);
        int finishAfter = Integer.parseInt(args[5]);
        var conf = new SluiceConf(); // master, app id and attempt come from the supervisor
        int attempt = conf.get(SluiceConf.APP_ATTEMPT);
        FileSystem fs = output.getFileSystem(new org.apache.hadoop.conf.Configuration());
        var batchesThisAttempt = new AtomicInteger();
        var firstBatch = new java.util.concurrent.atomic.AtomicReference<io.sluice.api.Time>();
        long[] firstBatchWallMs = {-1};
        var done = new CountDownLatch(1);
        var ssc = StreamingContext.getOrCreate(checkpoint, () -> {
            var context = new StreamingContext(conf.copy().set(SluiceConf.UI_ENABLED, false), BATCH);
            context.checkpoint(checkpoint);
            var ticks = PairDStream.of(context.constantStream(context.parallelize(List.of("tick"), 1))
                    .mapToPair(t -> Pair.of(t, 1L)));
            var count = ticks.<Long>updateStateByKey((values, state) -> Optional.of(state.orElse(0L) + values.size()), 1)
                    .uid("count");
            count.checkpoint(BATCH);
            count.foreachRDD(ds -> {
                long n = ds.collect().stream().mapToLong(Pair::value).sum();
                if (batchesThisAttempt.incrementAndGet() == 1) {
                    firstBatchWallMs[0] = System.currentTimeMillis();
                    write(fs, new Path(output, "attempt-" + attempt), "recovering=" + context.isRecovering()
                            + "\nfirstCount=" + n + "\n");
                }
                if (attempt <= failUpTo && batchesThisAttempt.get() >= failAfter
                        && System.currentTimeMillis() - firstBatchWallMs[0] >= failAfterMs
                        && checkpointed(fs, checkpoint, firstBatch.get())) {
                    throw new IllegalStateException("planned failure of driver attempt " + attempt + " after "
                            + batchesThisAttempt.get() + " batches");
                }
                if (attempt > failUpTo && batchesThisAttempt.get() >= finishAfter) {
                    done.countDown();
                }
            });
            count.foreachRDD((ds, time) -> firstBatch.compareAndSet(null, time));
            return context;
        });
        write(fs, new Path(output, "attempt-" + attempt), "recovering=" + ssc.isRecovering() + "\n");
        ssc.start();
        while (done.getCount() > 0) {
            if (ssc.awaitTerminationOrTimeout(100)) { // throws the failed output operation
                throw new IllegalStateException("the streaming context stopped by itself");
            }
        }
        ssc.stop(true, true);
    }

    /** Whether the newest metadata checkpoint covers {@code batch}, so that a restart continues from there. */
    private static boolean checkpointed(FileSystem fs, String checkpoint, io.sluice.api.Time batch) throws IOException {
        var latest = new io.sluice.checkpoint.CheckpointFiles(fs, new Path(checkpoint)).readLatest();
        return batch != null && latest.isPresent() && !latest.get().completedTime().isBefore(batch);
    }

    private static void write(FileSystem fs, Path file, String text) throws IOException {
        try (OutputStream out = fs.create(file, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
