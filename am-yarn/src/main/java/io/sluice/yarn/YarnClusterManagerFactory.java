package io.sluice.yarn;

import io.sluice.cluster.ClusterBackend;
import io.sluice.cluster.ClusterManagerFactory;
import io.sluice.conf.SluiceConf;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.ApplicationConstants.Environment;
import org.apache.hadoop.yarn.conf.YarnConfiguration;

/**
 * {@code yarn}: executors as YARN containers, requested by the ApplicationMaster this driver runs in (cluster deploy
 * mode, {@link YarnClusterBackend}) or, for a driver in the submitting JVM ({@code sluice.submit.deployMode=client}),
 * by an ApplicationMaster that only launches executors ({@link YarnClientModeBackend}). Registered for {@link java.util.ServiceLoader}; the ResourceManager and file system come from the Hadoop
 * configuration on the class path (the ApplicationMaster's container has the submitter's).
 */
public final class YarnClusterManagerFactory implements ClusterManagerFactory {
    public static final String MASTER = "yarn";

    /** The class path's Hadoop configuration with the {@code sluice.hadoop.*} settings of {@code conf} on top. */
    static YarnConfiguration hadoopConf(SluiceConf conf) {
        return new YarnConfiguration(io.sluice.conf.HadoopConfigurations.from(conf));
    }

    @Override
    public boolean supports(String masterUrl) {
        return masterUrl != null && masterUrl.trim().equals(MASTER);
    }

    @Override
    public String masterForm() {
        return MASTER;
    }

    /**
     * A backend for the ApplicationMaster this JVM runs in.
     *
     * @throws IllegalStateException when this JVM is not a Sluice ApplicationMaster (submit with sluice-submit
     *                               --master yarn)
     */
    @Override
    public ClusterBackend create(SluiceConf conf) {
        String staging = System.getenv(YarnLaunch.ENV_STAGING_DIR);
        String containerId = System.getenv(Environment.CONTAINER_ID.name());
        if ((staging == null || containerId == null) && conf.get(SluiceConf.DEPLOY_MODE).equals("client")) {
            return new YarnClientModeBackend(conf, hadoopConf(conf));
        }
        if (staging == null || containerId == null) {
            throw new IllegalStateException("Master 'yarn' outside a Sluice ApplicationMaster needs client deploy mode ("
                    + SluiceConf.DEPLOY_MODE.name() + "=client, sluice-submit --deploy-mode client); this JVM is not "
                    + "an ApplicationMaster (" + YarnLaunch.ENV_STAGING_DIR + " and " + Environment.CONTAINER_ID.name()
                    + " are not set)");
        }
        String host = System.getenv().getOrDefault(Environment.NM_HOST.name(), "localhost");
        return new YarnClusterBackend(conf, hadoopConf(conf), YarnClients.real(), conf.get(SluiceConf.APP_ID),
                conf.get(SluiceConf.APP_ATTEMPT), new Path(staging), host);
    }
}
