package io.sluice.api.function;

import java.io.Serializable;

/** A one-argument procedure. Serializable so that it can be shipped to executors. */
@FunctionalInterface
public interface VoidFunction<T> extends Serializable {
    void call(T t) throws Exception;
}
