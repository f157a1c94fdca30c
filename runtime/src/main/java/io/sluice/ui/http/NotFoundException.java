package io.sluice.ui.http;

/** Thrown by a handler for an id it does not know (application, batch, output operation, stream): becomes a 404. */
public final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message, null, false, false);
    }
}
