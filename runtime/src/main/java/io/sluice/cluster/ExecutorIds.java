package io.sluice.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ids of one application attempt's executors, {@code <app>-exec-<attempt>-<n>} with n counting from 1: the same
 * form on every cluster manager, so that the executors (containers, pods, tasks) of an attempt can be recognized by
 * name and a restarted driver never reuses an id. Thread-safe.
 */
public final class ExecutorIds {
    private final String appId;
    private final int attempt;
    private final AtomicInteger next = new AtomicInteger();

    public ExecutorIds(String appId, int attempt) {
        if (appId == null || appId.isBlank()) {
            throw new IllegalArgumentException("an application id is needed to name executors");
        }
        this.appId = appId;
        this.attempt = attempt;
    }

    /** The next id of this attempt. */
    public ExecutorId next() {
        return of(appId, attempt, next.incrementAndGet());
    }

    /** {@code <app>-exec-<attempt>-<n>}. */
    public static ExecutorId of(String appId, int attempt, int n) {
        return new ExecutorId(appId + "-exec-" + attempt + "-" + n);
    }

    /** The prefix every executor id of {@code attempt} starts with ({@code <app>-exec-<attempt>-}). */
    public static String attemptPrefix(String appId, int attempt) {
        return appId + "-exec-" + attempt + "-";
    }
}
