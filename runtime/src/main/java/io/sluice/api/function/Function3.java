package io.sluice.api.function;

import java.io.Serializable;

/** A three-argument function. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface Function3<T1, T2, T3, R> extends Serializable {
    R call(T1 t1, T2 t2, T3 t3) throws Exception;
}
