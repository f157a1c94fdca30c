package io.sluice.batch;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A driver-side list split into contiguous slices: slice i holds positions [i·n/p, (i+1)·n/p).
 *
 * <p>Shipping: a task that reads slice i only carries slice i ({@link TaskShipping} marks it while the driver
 * serializes the task; {@link KryoSlices} writes just those elements), as Spark's parallel collection partitions do.
 * An executor's copy then holds that slice alone and refuses, loudly, to compute another one. Without a mark the
 * whole list travels.
 */
final class ParallelCollectionDataset<T> extends Dataset<T> {
    /** Every element on the driver; on an executor, the slice {@link #heldSlice} (or all of them if it is -1). */
    private transient List<T> data;
    private final int slices;
    private transient int heldSlice = -1;
    /** Driver only: the slice the task being serialized on this thread reads; unset means all of them. */
    private final transient ThreadLocal<Integer> shipping = new ThreadLocal<>();

    ParallelCollectionDataset(SluiceContext sc, List<T> data, int slices) {
        super(sc, "parallelize");
        if (slices < 1) {
            throw new IllegalArgumentException("number of slices must be positive, got " + slices);
        }
        this.data = data;
        this.slices = slices;
    }

    /** The number of elements, known without running a job (driver only). */
    int size() {
        return data.size();
    }

    @Override
    public int numPartitions() {
        return slices;
    }

    @Override
    public List<Dependency> dependencies() {
        return List.of();
    }

    /** While this thread serializes a task, ship only slice {@code slice}; {@link #shipAll} ends it. */
    void shipOnly(int slice) {
        if (slice < 0 || slice >= slices) {
            throw new IllegalArgumentException("slice " + slice + " of " + slices);
        }
        shipping.set(slice);
    }

    void shipAll() {
        shipping.remove();
    }

    @Override
    protected void compute(int partition, TaskContext ctx, Consumer<? super T> out) {
        if (heldSlice >= 0) {
            if (partition != heldSlice) {
                throw new IllegalStateException("parallelize dataset " + id() + " was shipped with slice " + heldSlice
                        + " only, but slice " + partition + " was asked for; the task's lineage reads another slice "
                        + "than its own partition, which TaskShipping must not mark");
            }
            data.forEach(out);
            return;
        }
        int n = data.size();
        int from = (int) ((long) partition * n / slices);
        int to = (int) ((long) (partition + 1) * n / slices);
        for (int i = from; i < to; i++) {
            out.accept(data.get(i));
        }
    }

    /**
     * Kryo serializer: the dataset's fields, then which slice travels ({@code -1} for all) and its elements, each
     * with its class. Registered by {@link EngineKryoClasses}.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class KryoSlices extends FieldSerializer<ParallelCollectionDataset> {
        KryoSlices(Kryo kryo) {
            super(kryo, ParallelCollectionDataset.class);
        }

        @Override
        public void write(Kryo kryo, Output output, ParallelCollectionDataset object) {
            super.write(kryo, output, object);
            Integer marked = object.shipping == null ? null : (Integer) object.shipping.get();
            List<?> all = object.data;
            int slice = marked != null ? marked : object.heldSlice;
            List<?> elements = all;
            if (marked != null && object.heldSlice < 0) {
                int n = all.size();
                elements = all.subList((int) ((long) slice * n / object.slices), (int) ((long) (slice + 1) * n / object.slices));
            }
            output.writeVarInt(slice + 1, true);
            output.writeVarInt(elements.size(), true);
            for (Object e : elements) {
                kryo.writeClassAndObject(output, e);
            }
        }

        @Override
        public ParallelCollectionDataset read(Kryo kryo, Input input, Class<? extends ParallelCollectionDataset> type) {
            ParallelCollectionDataset object = super.read(kryo, input, type);
            object.heldSlice = input.readVarInt(true) - 1;
            int n = input.readVarInt(true);
            var elements = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                elements.add(kryo.readClassAndObject(input));
            }
            object.data = elements;
            return object;
        }
    }
}
