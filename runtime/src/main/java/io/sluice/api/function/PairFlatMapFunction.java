package io.sluice.api.function;

import io.sluice.api.Pair;
import java.io.Serializable;
import java.util.Iterator;

/** A function producing zero or more key-value pairs per input. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface PairFlatMapFunction<T, K, V> extends Serializable {
    Iterator<Pair<K, V>> call(T t) throws Exception;
}
