package io.sluice.api.function;

import java.io.Serializable;
import java.util.Iterator;

/** A function producing zero or more results per input. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface FlatMapFunction<T, R> extends Serializable {
    Iterator<R> call(T t) throws Exception;
}
