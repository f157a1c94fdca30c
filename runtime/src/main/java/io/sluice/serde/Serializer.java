package io.sluice.serde;

/**
 * Turns records, tasks and functions into bytes and back. Instances are thread-safe; implementations may pool
 * per-thread state internally.
 */
public interface Serializer {

    byte[] serialize(Object value);

    /** Reads what {@link #serialize} wrote; the caller knows the type. */
    <T> T deserialize(byte[] bytes);
}
