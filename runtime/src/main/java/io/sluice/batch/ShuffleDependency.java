package io.sluice.batch;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.FieldSerializer;
import io.sluice.api.Pair;
import java.util.Comparator;

/**
 * A shuffle: the parent's pairs are partitioned by key with {@code partitioner}, optionally combined on the map
 * side with {@code aggregator}, and read by the child's tasks. {@code keyOrdering}, when set, sorts each output
 * partition by key.
 */
public final class ShuffleDependency<K, V, C> implements Dependency {
    /** The map side; null in a deserialized copy unless it came as a {@link ShuffleMapTask}'s own dependency. */
    private transient Dataset<Pair<K, V>> parent;
    private final Partitioner partitioner;
    private final Aggregator<V, C> aggregator;
    private final boolean mapSideCombine;
    private final Comparator<? super K> keyOrdering;
    private final int shuffleId;
    /** Driver only: set while a task of this shuffle's map side is serialized on this thread. */
    private final transient ThreadLocal<Boolean> shippingMapSide = new ThreadLocal<>();

    ShuffleDependency(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<V, C> aggregator,
                      boolean mapSideCombine, Comparator<? super K> keyOrdering) {
        if (mapSideCombine && aggregator == null) {
            throw new IllegalArgumentException("map-side combine needs an aggregator");
        }
        this.parent = parent;
        this.partitioner = partitioner;
        this.aggregator = aggregator;
        this.mapSideCombine = mapSideCombine;
        this.keyOrdering = keyOrdering;
        this.shuffleId = parent.context().newShuffleId();
        parent.context().registerShuffleForCleanup(this);
    }

    /**
     * The map side. On an executor only the dependency of the {@link ShuffleMapTask} being run has it: reducers read
     * map outputs by shuffle id, and a reduce task does not carry the lineage of the map side (as in Spark), which
     * would otherwise grow with every stateful version kept back to the last checkpoint.
     */
    @Override
    public Dataset<Pair<K, V>> parent() {
        return parent;
    }

    /** While this thread serializes a map task of this shuffle, the map side travels with it; see {@link ShuffleMapTask}. */
    void shipMapSide(boolean ship) {
        if (ship) {
            shippingMapSide.set(Boolean.TRUE);
        } else {
            shippingMapSide.remove();
        }
    }

    /** Kryo serializer: the fields, then the map side only when it is marked for shipping. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class KryoMapSide extends FieldSerializer<ShuffleDependency> {
        KryoMapSide(Kryo kryo) {
            super(kryo, ShuffleDependency.class);
        }

        @Override
        public void write(Kryo kryo, Output output, ShuffleDependency object) {
            super.write(kryo, output, object);
            boolean ship = object.shippingMapSide != null && object.shippingMapSide.get() != null && object.parent != null;
            output.writeBoolean(ship);
            if (ship) {
                kryo.writeClassAndObject(output, object.parent);
            }
        }

        @Override
        public ShuffleDependency read(Kryo kryo, Input input, Class<? extends ShuffleDependency> type) {
            ShuffleDependency object = super.read(kryo, input, type);
            if (input.readBoolean()) {
                object.parent = (Dataset) kryo.readClassAndObject(input);
            }
            return object;
        }
    }

    public Partitioner partitioner() {
        return partitioner;
    }

    public Aggregator<V, C> aggregator() {
        return aggregator;
    }

    public boolean mapSideCombine() {
        return mapSideCombine;
    }

    public Comparator<? super K> keyOrdering() {
        return keyOrdering;
    }

    public int shuffleId() {
        return shuffleId;
    }

    @Override
    public String toString() {
        return "ShuffleDependency(" + shuffleId + ", " + partitioner + ")";
    }
}
