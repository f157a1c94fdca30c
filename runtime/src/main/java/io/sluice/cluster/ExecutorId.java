package io.sluice.cluster;

/** The id of one executor, unique within an application (e.g. {@code <app>-exec-<attempt>-<n>}). */
public record ExecutorId(String value) implements Comparable<ExecutorId> {
    public ExecutorId {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("executor id must not be blank");
        }
    }

    @Override
    public int compareTo(ExecutorId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
