package io.sluice.rpc;

import java.util.concurrent.TimeoutException;

/** An ask got no reply in time. Extends {@link TimeoutException} so generic timeout handling recognizes it. */
public final class RpcTimeoutException extends TimeoutException {
    public RpcTimeoutException(String message) {
        super(message);
    }
}
