package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.SluiceContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;

/**
 * Takes each batch's data from a queue of datasets: one dataset per batch ({@code oneAtATime}) or everything
 * queued so far. When the queue is empty the batch is the default dataset, or empty.
 * Producers must synchronize on the queue while adding to it.
 */
public final class QueueInputDStream<T> extends InputDStream<T> {
    private final Queue<Dataset<T>> queue;
    private final boolean oneAtATime;
    private final Dataset<T> defaultDataset;

    public QueueInputDStream(StreamingContext ssc, Queue<Dataset<T>> queue, boolean oneAtATime, Dataset<T> defaultDataset) {
        super(ssc, "queueStream");
        this.queue = queue;
        this.oneAtATime = oneAtATime;
        this.defaultDataset = defaultDataset;
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        var taken = new ArrayList<Dataset<T>>();
        synchronized (queue) {
            if (oneAtATime && !queue.isEmpty()) {
                taken.add(queue.poll());
            } else {
                while (!queue.isEmpty()) {
                    taken.add(queue.poll());
                }
            }
        }
        Dataset<T> ds;
        if (!taken.isEmpty()) {
            ds = oneAtATime ? taken.get(0) : context().context().union(taken);
        } else if (defaultDataset != null) {
            ds = defaultDataset;
        } else {
            ds = context().context().emptyDataset();
        }
        report(time, taken.isEmpty() && defaultDataset != null ? List.of(defaultDataset) : taken);
        return Optional.of(ds);
    }

    private void report(Time time, List<Dataset<T>> datasets) {
        long n = 0;
        for (Dataset<T> d : datasets) {
            long size = SluiceContext.knownSize(d);
            if (size < 0) {
                return; // unknown without running a job: report nothing rather than a wrong number
            }
            n += size;
        }
        reportInput(time, n);
    }
}
