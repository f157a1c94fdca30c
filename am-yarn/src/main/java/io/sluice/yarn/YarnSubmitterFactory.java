package io.sluice.yarn;

import io.sluice.conf.ConfigKey;
import io.sluice.conf.HadoopConfigurations;
import io.sluice.conf.SluiceConf;
import io.sluice.deploy.Submitter;
import io.sluice.deploy.SubmitterFactory;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Submission to YARN ({@code --master yarn}): a {@link YarnSubmitter} for the ResourceManager and file system of
 * {@code $HADOOP_CONF_DIR} / {@code $YARN_CONF_DIR} (and {@code sluice.hadoop.*}). Registered for
 * {@link java.util.ServiceLoader}.
 */
public final class YarnSubmitterFactory implements SubmitterFactory {
    static final String APP_ID_FORM = "application_<cluster timestamp>_<n>";
    private static final Pattern APP_ID = Pattern.compile("application_\\d+_\\d+");

    @Override
    public boolean supports(String masterUrl) {
        return masterUrl != null && masterUrl.trim().equals(YarnClusterManagerFactory.MASTER);
    }

    @Override
    public String masterForm() {
        return YarnClusterManagerFactory.MASTER;
    }

    @Override
    public boolean ownsApplicationId(String appId) {
        return appId != null && APP_ID.matcher(appId.trim()).matches();
    }

    @Override
    public String applicationIdForm() {
        return APP_ID_FORM;
    }

    @Override
    public Optional<ConfigKey<String>> queueKey() {
        return Optional.of(YarnConf.QUEUE);
    }

    @Override
    public Submitter create(SluiceConf conf, Map<String, String> environment, Consumer<String> progress) {
        return new YarnSubmitter(HadoopConfigurations.fromEnvironment(environment, conf), conf, progress);
    }
}
