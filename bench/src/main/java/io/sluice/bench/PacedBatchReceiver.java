package io.sluice.bench;

import io.sluice.receiver.Receiver;
import io.sluice.storage.StorageLevel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Feeds pre-generated batches through the receiver path (block store, and the write-ahead log when it is on): one
 * {@code store(List)} of a whole batch every interval, each returning only once the block is stored. For the
 * durability benchmark, which compares the same input with the received-data log on and off. Runs in the driver
 * ({@code local[N]}): the data is not shipped to executors.
 */
final class PacedBatchReceiver extends Receiver<String> {
    private static final long serialVersionUID = 1L;

    private final transient List<List<String>> batches;
    private final long intervalMs;

    PacedBatchReceiver(List<List<String>> batches, long intervalMs) {
        super(StorageLevel.MEMORY_ONLY_SER);
        this.batches = batches;
        this.intervalMs = intervalMs;
    }

    @Override
    public void onStart() {
        var t = new Thread(this::feed, "bench-paced-receiver");
        t.setDaemon(true);
        t.start();
    }

    private void feed() {
        long next = System.nanoTime();
        for (List<String> batch : batches) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (isStopped()) {
                return;
            }
            store(batch);
            next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
        }
    }

    @Override
    public void onStop() {
        // the feeding thread sees isStopped()
    }
}
