package io.sluice.api.function;

import java.io.Serializable;

/** A one-argument function. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface Function<T, R> extends Serializable {
    R call(T t) throws Exception;
}
