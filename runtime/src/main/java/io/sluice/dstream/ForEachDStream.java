package io.sluice.dstream;

import io.sluice.api.DStream;
import io.sluice.api.Time;
import io.sluice.api.function.VoidFunction2;
import io.sluice.batch.Dataset;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An output operation: runs a driver-side function on every batch of its parent. */
public final class ForEachDStream<T> extends DStream<Void> {
    private final DStream<T> parent;
    private final VoidFunction2<Dataset<T>, Time> f;
    private int outputOpId = -1;

    public ForEachDStream(DStream<T> parent, String opName, VoidFunction2<Dataset<T>, Time> f) {
        super(parent.context(), opName);
        this.parent = parent;
        // runs on the driver and is never shipped: no serializability requirement (unlike element functions)
        this.f = f;
    }

    /** Registers this output operation with the graph; output operations run in registration order. */
    public void register() {
        outputOpId = context().graph().addOutputStream(this);
    }

    @Override
    public Duration slideDuration() {
        return parent.slideDuration();
    }

    @Override
    public List<DStream<?>> dependencies() {
        return List.of(parent);
    }

    @Override
    protected Optional<Dataset<Void>> compute(Time time) {
        return Optional.empty();
    }

    /**
     * The job for batch {@code time}, or empty if the parent has no data for it. If the parent's dataset cannot be
     * built (a union or transform whose parent has no data, a transform function that throws or returns null),
     * the job fails with that error: the failure is recorded for this output operation of this batch, and other
     * operations and later batches still run.
     */
    public Optional<Job> generateJob(Time time) {
        String description = opName() + " on " + parent;
        Optional<Dataset<T>> data;
        try {
            data = parent.getOrCompute(time);
        } catch (Exception e) { // also checked exceptions of user functions, rethrown unchecked
            return Optional.of(new Job(time, outputOpId, opName(), description, () -> {
                throw e;
            }));
        }
        return data.map(ds -> new Job(time, outputOpId, opName(), description, () -> f.call(ds, time)));
    }
}
