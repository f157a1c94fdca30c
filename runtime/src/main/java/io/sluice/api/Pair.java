package io.sluice.api;

import java.io.Serializable;

/**
 * A key-value pair, the element type of {@link PairDStream} and {@link io.sluice.batch.PairDataset}.
 * Prints as {@code (key,value)}, like a Scala tuple, so that outputs read the same as Spark's.
 */
public record Pair<K, V>(K key, V value) implements Serializable {

    public static <K, V> Pair<K, V> of(K key, V value) {
        return new Pair<>(key, value);
    }

    /** Scala-style accessor for the key. */
    public K _1() {
        return key;
    }

    /** Scala-style accessor for the value. */
    public V _2() {
        return value;
    }

    @Override
    public String toString() {
        return "(" + key + "," + value + ")";
    }
}
