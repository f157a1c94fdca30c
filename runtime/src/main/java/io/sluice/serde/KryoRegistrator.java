package io.sluice.serde;

import com.esotericsoftware.kryo.Kryo;

/**
 * Registers an application's classes (and custom serializers) with Kryo: registered classes are written as small
 * ids instead of class names. Named by {@code sluice.kryo.registrator}; needs a public no-argument constructor.
 */
public interface KryoRegistrator {
    void registerClasses(Kryo kryo);
}
