package io.sluice.util;

/** Rethrows checked exceptions from user functions without wrapping, inside the engine's push pipelines. */
public final class Sneaky {
    private Sneaky() {
    }

    @SuppressWarnings("unchecked")
    public static <E extends Throwable> RuntimeException rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
