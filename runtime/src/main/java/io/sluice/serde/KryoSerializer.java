package io.sluice.serde;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import io.sluice.api.Pair;
import io.sluice.api.Time;
import io.sluice.batch.EngineKryoClasses;
import io.sluice.conf.SluiceConf;
import io.sluice.executor.ExecutorMessages;
import java.lang.invoke.SerializedLambda;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Kryo serialization for records, tasks and serializable lambdas (the engine's functions). Classes the engine
 * ships constantly are registered up front; applications add theirs through {@code sluice.kryo.registrator}.
 * With {@code sluice.kryo.registrationRequired}, an unregistered class fails loudly instead of being written by
 * name. Kryo instances are not thread-safe, so each thread borrows one from a pool.
 */
public final class KryoSerializer implements Serializer {
    private final Pool<Kryo> pool;
    private final ClassLoader classLoader;
    private final boolean registrationRequired;
    private final List<KryoRegistrator> registrators;

    public KryoSerializer(SluiceConf conf) {
        this(conf, Thread.currentThread().getContextClassLoader());
    }

    /** JVM options without which Kryo cannot (de)serialize lambdas and JDK collections. */
    public static final String REQUIRED_JVM_OPTIONS = RequiredJvmOptions.TEXT;

    public KryoSerializer(SluiceConf conf, ClassLoader classLoader) {
        requireOpens();
        this.classLoader = classLoader == null ? KryoSerializer.class.getClassLoader() : classLoader;
        this.registrationRequired = conf.get(SluiceConf.KRYO_REGISTRATION_REQUIRED);
        this.registrators = loadRegistrators(conf.get(SluiceConf.KRYO_REGISTRATOR), this.classLoader);
        this.pool = new Pool<>(true, false, 64) {
            @Override
            protected Kryo create() {
                return newKryo();
            }
        };
        pool.free(pool.obtain()); // build one now, so a broken registrator fails at construction
    }

    /** Fails with the options to add, rather than with Kryo's reflection error deep inside the first task. */
    private static void requireOpens() {
        for (String pkg : RequiredJvmOptions.missing()) {
            throw new IllegalStateException("Shipping tasks and functions with Kryo needs this JVM started with: "
                    + REQUIRED_JVM_OPTIONS + " (package " + pkg + " of java.base is not open)");
        }
    }

    private static List<KryoRegistrator> loadRegistrators(String names, ClassLoader loader) {
        var result = new ArrayList<KryoRegistrator>();
        if (names == null || names.isBlank()) {
            return result;
        }
        for (String name : names.split(",")) {
            String n = name.trim();
            if (n.isEmpty()) {
                continue;
            }
            try {
                Class<?> c = Class.forName(n, true, loader);
                if (!KryoRegistrator.class.isAssignableFrom(c)) {
                    throw new IllegalArgumentException(SluiceConf.KRYO_REGISTRATOR.name() + ": class " + n
                            + " does not implement " + KryoRegistrator.class.getName());
                }
                result.add((KryoRegistrator) c.getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException(SluiceConf.KRYO_REGISTRATOR.name() + ": class " + n
                        + " was not found on the classpath", e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(SluiceConf.KRYO_REGISTRATOR.name() + ": cannot instantiate " + n
                        + " (it needs a public no-argument constructor): " + e, e);
            }
        }
        return result;
    }

    private Kryo newKryo() {
        var kryo = new Kryo();
        kryo.setClassLoader(classLoader);
        kryo.setReferences(true);
        kryo.setRegistrationRequired(registrationRequired);
        // classes without a no-arg constructor (records of user code, many JDK types) are still instantiable
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.register(Object[].class);
        kryo.register(Class.class);
        kryo.register(SerializedLambda.class);
        kryo.register(ClosureSerializer.Closure.class, new ClosureSerializer());
        kryo.register(Pair.class);
        kryo.register(Time.class);
        kryo.register(ArrayList.class);
        kryo.register(HashMap.class);
        kryo.register(LinkedHashMap.class);
        kryo.register(HashSet.class);
        kryo.register(Optional.class);
        kryo.register(Arrays.asList().getClass());
        kryo.register(List.of().getClass());
        kryo.register(List.of(1).getClass());
        kryo.register(String[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(byte[].class);
        new EngineKryoClasses().registerClasses(kryo);
        ExecutorMessages.registerWith(kryo); // appended: earlier classes keep their registration ids
        io.sluice.executor.TaskMessages.registerWith(kryo);
        io.sluice.receiver.ReceiverMessages.registerWith(kryo);
        for (KryoRegistrator r : registrators) {
            r.registerClasses(kryo);
        }
        return kryo;
    }

    @Override
    public byte[] serialize(Object value) {
        Kryo kryo = pool.obtain();
        try (var out = new Output(256, -1)) {
            kryo.writeClassAndObject(out, value);
            return out.toBytes();
        } catch (KryoException | IllegalArgumentException e) {
            // Kryo reports an unregistered class with IllegalArgumentException
            throw new SerializationException("Failed to serialize " + describe(value) + ": " + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T deserialize(byte[] bytes) {
        Kryo kryo = pool.obtain();
        try (var in = new Input(bytes)) {
            return (T) kryo.readClassAndObject(in);
        } catch (KryoException e) {
            throw new SerializationException("Failed to deserialize " + bytes.length + " bytes: " + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : "an object of class " + value.getClass().getName();
    }
}
