package io.sluice.cluster;

import java.util.Map;

/** What one executor needs: cores, memory and the environment its process starts with. */
public record ExecutorSpec(int cores, int memoryMb, Map<String, String> environment) {
    public ExecutorSpec {
        if (cores < 1) {
            throw new IllegalArgumentException("an executor needs at least 1 core, got " + cores);
        }
        if (memoryMb < 64) {
            throw new IllegalArgumentException("an executor needs at least 64 MiB, got " + memoryMb);
        }
        environment = Map.copyOf(environment);
    }
}
