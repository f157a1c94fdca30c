package io.sluice.cluster;

import io.sluice.conf.SluiceConf;

/**
 * Creates the backend for a master URL. Backends are found with {@link java.util.ServiceLoader} (a module lists
 * its factory in {@code META-INF/services/io.sluice.cluster.ClusterManagerFactory}), so adding a cluster manager
 * never touches the runtime.
 */
public interface ClusterManagerFactory {

    /** True if this factory handles {@code masterUrl} (e.g. {@code yarn}, {@code k8s://...}). */
    boolean supports(String masterUrl);

    ClusterBackend create(SluiceConf conf);

    /**
     * The master URL form this factory claims, for messages that list the installed masters (e.g. {@code yarn},
     * {@code local-cluster[E,C,M]}); by default the factory's class name.
     */
    default String masterForm() {
        return getClass().getName();
    }

    /**
     * How many executors an application on this master starts with (the initial count under dynamic allocation):
     * {@code sluice.executor.instances} unless the master URL itself says (as {@code local-cluster[E,C,M]} does).
     * With dynamic allocation and {@code sluice.executor.instances} not set, its default does not count:
     * {@code sluice.dynamicAllocation.initialExecutors}, or when that is unset too the minimum (at least 1).
     */
    default int initialExecutors(SluiceConf conf) {
        if (conf.get(SluiceConf.DYN_ALLOC_ENABLED) && !conf.contains(SluiceConf.EXECUTOR_INSTANCES.name())) {
            int initial = conf.get(SluiceConf.DYN_ALLOC_INITIAL);
            return initial >= 0 ? initial : Math.max(1, conf.get(SluiceConf.DYN_ALLOC_MIN));
        }
        return conf.get(SluiceConf.EXECUTOR_INSTANCES);
    }
}
