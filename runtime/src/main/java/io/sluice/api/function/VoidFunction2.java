package io.sluice.api.function;

import java.io.Serializable;

/** A two-argument procedure. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface VoidFunction2<T1, T2> extends Serializable {
    void call(T1 t1, T2 t2) throws Exception;
}
