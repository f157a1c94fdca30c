package io.sluice.ui.http;

/**
 * Serves one route. Runs on a Netty event-loop thread, so it must not block: it reads in-memory state and returns.
 * A {@link NotFoundException} becomes a 404 and any other exception a 500, both with a JSON error body.
 */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);
}
