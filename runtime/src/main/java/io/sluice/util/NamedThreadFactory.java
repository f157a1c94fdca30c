package io.sluice.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Gives every engine thread a name that says what it does (thread dumps and logs depend on it). */
public final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final boolean daemon;
    private final AtomicInteger next = new AtomicInteger();

    public NamedThreadFactory(String prefix, boolean daemon) {
        this.prefix = prefix;
        this.daemon = daemon;
    }

    @Override
    public Thread newThread(Runnable r) {
        var t = new Thread(r, prefix + "-" + next.getAndIncrement());
        t.setDaemon(daemon);
        return t;
    }
}
