package io.sluice.cluster;

import io.sluice.cluster.local.LocalClusterUrl;
import io.sluice.conf.SluiceConf;
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

    /**
     * The spec {@code conf} asks for: C and M of a {@code local-cluster[E,C,M]} master, otherwise
     * {@code sluice.executor.cores} and {@code sluice.executor.memory}; no extra environment.
     */
    public static ExecutorSpec fromConf(SluiceConf conf) {
        String master = conf.get(SluiceConf.MASTER);
        if (LocalClusterUrl.claims(master)) {
            var url = LocalClusterUrl.parse(master);
            return new ExecutorSpec(url.cores(), url.memoryMb(), Map.of());
        }
        return new ExecutorSpec(conf.get(SluiceConf.EXECUTOR_CORES), conf.get(SluiceConf.EXECUTOR_MEMORY_MB), Map.of());
    }
}
