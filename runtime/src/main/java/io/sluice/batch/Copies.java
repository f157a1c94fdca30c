package io.sluice.batch;

import io.sluice.api.Pair;
import io.sluice.api.function.Function2;
import io.sluice.util.Sneaky;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Private copies of values that user functions are allowed to mutate. Spark ships every task its own deserialized
 * copy of a zero value and reads shuffle outputs as fresh objects, so {@code aggregate(new ArrayList<>(), ...)} or a
 * combiner that appends to a list are correct there. Tasks here share the driver's objects in memory, so these
 * values are copied explicitly (through Java serialization; immutable values are not copied).
 */
final class Copies {
    private static final Set<Class<?>> IMMUTABLE = Set.of(String.class, Integer.class, Long.class, Short.class,
            Byte.class, Character.class, Boolean.class, Double.class, Float.class, BigInteger.class, BigDecimal.class);

    private Copies() {
    }

    /** True for values no function can change: null, strings, boxed primitives, and pairs of those. */
    static boolean isImmutable(Object o) {
        if (o == null) {
            return true;
        }
        Class<?> c = o.getClass();
        // called for every merged record: compare the commonest classes directly before probing the set
        if (c == String.class || c == Integer.class || c == Long.class || IMMUTABLE.contains(c)) {
            return true;
        }
        return o instanceof Pair<?, ?> p && isImmutable(p.key()) && isImmutable(p.value());
    }

    /**
     * A copy of {@code o} that the caller may mutate: {@code o} itself when it is immutable, or when it is not
     * serializable and so cannot be copied (such values could not be shuffled between processes either).
     */
    static <T> T copy(T o) {
        if (isImmutable(o) || !(o instanceof Serializable)) {
            return o;
        }
        return deserialize(serialize(o, "value"));
    }

    /**
     * Adapts a merge function that may modify and return its first argument (as Spark allows for combiners) so that
     * it only ever modifies objects it returned itself: a first argument it did not produce is copied first. For
     * one task's use (not thread-safe).
     */
    static <A, B> BiFunction<A, B, A> mergingIntoCopies(Function2<A, B, A> f) {
        Set<Object> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        return (a, b) -> {
            try {
                A acc = a;
                if (!isImmutable(acc) && !owned.contains(acc)) {
                    acc = copy(acc);
                }
                A result = f.call(acc, b);
                if (result != (Object) b && !isImmutable(result)) {
                    owned.add(result);
                }
                return result;
            } catch (Exception e) {
                throw Sneaky.rethrow(e);
            }
        };
    }

    static byte[] serialize(Object o, String what) {
        var bytes = new ByteArrayOutputStream();
        try (var out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new IllegalArgumentException("The " + what + " (" + o.getClass().getName()
                    + ") must be serializable so that every task gets its own copy: " + e, e);
        }
        return bytes.toByteArray();
    }

    @SuppressWarnings("unchecked")
    static <T> T deserialize(byte[] bytes) {
        try (var in = new ContextObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (T) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Could not copy a value: " + e, e);
        }
    }

    /**
     * A zero value of a fold or aggregation; {@link #fresh()} gives a new copy for each task and key, as Spark's
     * closure serialization does.
     */
    static final class Zero<U> implements Serializable {
        private final U immutable;
        private final byte[] bytes;

        Zero(U zero, String operation) {
            if (isImmutable(zero)) {
                this.immutable = zero;
                this.bytes = null;
            } else {
                this.immutable = null;
                this.bytes = serialize(zero, "zero value of " + operation);
            }
        }

        U fresh() {
            return bytes == null ? immutable : deserialize(bytes);
        }
    }

    /** Resolves classes through the thread's context class loader first (application classes on executors). */
    private static final class ContextObjectInputStream extends ObjectInputStream {
        ContextObjectInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to the default resolution below
                }
            }
            return super.resolveClass(desc);
        }
    }
}
