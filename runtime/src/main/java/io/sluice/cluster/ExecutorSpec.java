package io.sluice.cluster;

import io.sluice.cluster.local.LocalClusterUrl;
import io.sluice.conf.SluiceConf;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What one executor needs: cores, memory and the environment its process starts with, plus where it would best run.
 *
 * @param preferredHosts host names (as the cluster manager names its nodes) the executor would best run on, most
 *                       wanted first; empty means anywhere. A hint only: a backend that can place by host asks for
 *                       these and still takes any other (YARN: node preferences with relaxed locality), one that
 *                       cannot ignores them. Duplicates and blank names are dropped.
 */
public record ExecutorSpec(int cores, int memoryMb, Map<String, String> environment, List<String> preferredHosts) {
    public ExecutorSpec {
        if (cores < 1) {
            throw new IllegalArgumentException("an executor needs at least 1 core, got " + cores);
        }
        if (memoryMb < 64) {
            throw new IllegalArgumentException("an executor needs at least 64 MiB, got " + memoryMb);
        }
        environment = Map.copyOf(environment);
        preferredHosts = preferredHosts == null ? List.of()
                : preferredHosts.stream().filter(h -> h != null && !h.isBlank()).map(String::strip).distinct().toList();
    }

    /** A spec without a host preference. */
    public ExecutorSpec(int cores, int memoryMb, Map<String, String> environment) {
        this(cores, memoryMb, environment, List.of());
    }

    /** This spec preferring {@code hosts} (replacing any preference it had). */
    public ExecutorSpec withPreferredHosts(Collection<String> hosts) {
        return new ExecutorSpec(cores, memoryMb, environment, new ArrayList<>(hosts));
    }

    /**
     * The spec {@code conf} asks for: C and M of a {@code local-cluster[E,C,M]} master, otherwise
     * {@code sluice.executor.cores} and {@code sluice.executor.memory}; no extra environment, no host preference.
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
