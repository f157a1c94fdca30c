package io.sluice.testkit;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.dstream.InputDStream;
import java.util.List;
import java.util.Optional;

/**
 * Feeds prepared batches: batch k (time k × interval) is {@code batches.get(k-1)} split into {@code numPartitions}
 * contiguous partitions; {@link StreamingTestKit#noData()} makes a batch with no data at all; after the list ends,
 * batches are empty.
 */
public final class TestInputDStream<T> extends InputDStream<T> {
    private final List<List<T>> batches;
    private final int numPartitions;

    public TestInputDStream(StreamingContext ssc, List<List<T>> batches, int numPartitions) {
        super(ssc, "testInput");
        this.batches = batches;
        this.numPartitions = numPartitions;
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        long index = (time.milliseconds() - zeroTime().milliseconds()) / slideDuration().toMillis() - 1;
        List<T> data = index < batches.size() ? batches.get((int) index) : List.of();
        if (StreamingTestKit.isNoData(data)) {
            return Optional.empty();
        }
        reportInput(time, data.size());
        return Optional.of(context().parallelize(data, numPartitions));
    }
}
