package io.sluice.cluster.local;

import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ClusterManagerFactory;
import io.sluice.conf.SluiceConf;

/** {@code local-cluster[E,C,M]}: executors as child JVMs of the driver. Registered for {@link java.util.ServiceLoader}. */
public final class LocalClusterManagerFactory implements ClusterManagerFactory {

    @Override
    public boolean supports(String masterUrl) {
        return LocalClusterUrl.claims(masterUrl);
    }

    @Override
    public String masterForm() {
        return "local-cluster[E,C,M]";
    }

    /**
     * A backend for {@code sluice.master}; reads {@code sluice.app.id} (required), {@code sluice.app.attempt},
     * {@code sluice.localCluster.workDir} and {@code sluice.executor.stopGracePeriod}.
     *
     * @throws IllegalArgumentException for a malformed URL (listing the accepted forms) or a missing app id
     */
    @Override
    public ClusterBackend create(SluiceConf conf) {
        return LocalClusterBackend.create(LocalClusterUrl.parse(conf.get(SluiceConf.MASTER)), conf);
    }

    /** E of {@code local-cluster[E,C,M]}. */
    @Override
    public int initialExecutors(SluiceConf conf) {
        return LocalClusterUrl.parse(conf.get(SluiceConf.MASTER)).executors();
    }
}
