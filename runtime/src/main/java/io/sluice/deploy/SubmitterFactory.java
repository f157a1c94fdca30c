package io.sluice.deploy;

import io.sluice.conf.ConfigKey;
import io.sluice.conf.SluiceConf;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Makes the {@link Submitter} of one cluster manager. Found through {@link java.util.ServiceLoader} (a backend module
 * lists it in {@code META-INF/services/io.sluice.deploy.SubmitterFactory}), so {@code sluice-submit} names no backend:
 * it finds the factory that claims the master URL, or, for {@code status}/{@code kill} without {@code --master}, the one
 * that recognizes the application id.
 */
public interface SubmitterFactory {

    /** True if this factory submits to {@code masterUrl} (e.g. {@code yarn}, {@code k8s://https://host:port}). */
    boolean supports(String masterUrl);

    /** The master URL form this factory claims, for messages and help (e.g. {@code yarn}). */
    String masterForm();

    /** True if {@code appId} has the form of this cluster manager's application ids. */
    boolean ownsApplicationId(String appId);

    /** What this cluster manager's application ids look like, for messages (e.g. {@code application_<ts>_<n>}). */
    String applicationIdForm();

    /** The key {@code sluice-submit --queue} sets on this cluster manager, if it has queues. */
    default Optional<ConfigKey<String>> queueKey() {
        return Optional.empty();
    }

    /**
     * A submitter for the cluster {@code conf} and {@code environment} (the process environment: e.g.
     * {@code HADOOP_CONF_DIR}) describe. {@code sluice.master} is the master URL the command named (always when
     * submitting; for status, kill and list when {@code --master} was given, else it may be unset).
     *
     * @param progress told of each submission step and event, one line each (the CLI prints them)
     * @throws SubmitException when the cluster's configuration is unusable
     */
    Submitter create(SluiceConf conf, Map<String, String> environment, Consumer<String> progress);
}
