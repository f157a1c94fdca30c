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
}
