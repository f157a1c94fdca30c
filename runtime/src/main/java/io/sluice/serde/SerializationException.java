package io.sluice.serde;

/** Data or a function could not be (de)serialized; the message names the class involved. */
public final class SerializationException extends RuntimeException {
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
