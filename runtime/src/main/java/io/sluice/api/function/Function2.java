package io.sluice.api.function;

import java.io.Serializable;

/** A two-argument function. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface Function2<T1, T2, R> extends Serializable {
    R call(T1 t1, T2 t2) throws Exception;
}
