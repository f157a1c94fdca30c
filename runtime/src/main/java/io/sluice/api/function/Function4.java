package io.sluice.api.function;

import java.io.Serializable;

/** A four-argument function. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface Function4<T1, T2, T3, T4, R> extends Serializable {
    R call(T1 t1, T2 t2, T3 t3, T4 t4) throws Exception;
}
