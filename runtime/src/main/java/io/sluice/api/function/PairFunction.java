package io.sluice.api.function;

import io.sluice.api.Pair;
import java.io.Serializable;

/** A function producing a key-value pair. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface PairFunction<T, K, V> extends Serializable {
    Pair<K, V> call(T t) throws Exception;
}
