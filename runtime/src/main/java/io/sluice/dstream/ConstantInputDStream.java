package io.sluice.dstream;

import io.sluice.api.StreamingContext;
import io.sluice.api.Time;
import io.sluice.batch.Dataset;
import io.sluice.batch.SluiceContext;
import java.util.Objects;
import java.util.Optional;

/** The same dataset as every batch; a source for tests and examples. */
public final class ConstantInputDStream<T> extends InputDStream<T> {
    private final Dataset<T> dataset;

    public ConstantInputDStream(StreamingContext ssc, Dataset<T> dataset) {
        super(ssc, "constantStream");
        this.dataset = Objects.requireNonNull(dataset, "Parameter dataset must not be null");
    }

    @Override
    protected Optional<Dataset<T>> compute(Time time) {
        long size = SluiceContext.knownSize(dataset);
        if (size >= 0) {
            reportInput(time, size);
        }
        return Optional.of(dataset);
    }
}
