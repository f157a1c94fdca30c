package io.sluice.yarn;

import io.sluice.conf.ConfigKey;
import io.sluice.conf.ConfigKeyProvider;
import java.time.Duration;
import java.util.List;

/**
 * The configuration keys only YARN reads ({@code sluice.yarn.*}), declared here and listed for
 * {@link java.util.ServiceLoader} so that validation and the generated documentation include them. Keys every cluster
 * manager reads (driver and executor resources, staging, submission) are runtime's, in
 * {@link io.sluice.conf.SluiceConf}.
 */
public final class YarnConf implements ConfigKeyProvider {
    public static final String MODULE = "sluice-am-yarn";

    public static final ConfigKey<String> QUEUE = ConfigKey.key("sluice.yarn.queue").stringType().defaultValue("default")
            .doc("The YARN queue an application is submitted to (sluice-submit --queue).");
    public static final ConfigKey<Integer> MAX_APP_ATTEMPTS = ConfigKey.key("sluice.yarn.maxAppAttempts").intType()
            .atLeast(0).defaultValue(0)
            .doc("How many times YARN starts the ApplicationMaster (and, in cluster mode, the driver) before the application "
                    + "fails; 0 means the cluster's yarn.resourcemanager.am.max-attempts.");
    public static final ConfigKey<Duration> ATTEMPT_FAILURES_VALIDITY = ConfigKey.key("sluice.yarn.am.attemptFailuresValidityInterval")
            .durationType().atLeast(Duration.ZERO).defaultValue(Duration.ZERO)
            .doc("Only ApplicationMaster failures within this interval count towards " + MAX_APP_ATTEMPTS.name()
                    + ", so a job that fails once a week is not killed by its second failure; 0 means every failure counts.");
    public static final ConfigKey<Duration> RM_CONNECT_TIMEOUT = ConfigKey.key("sluice.yarn.rm.connectTimeout")
            .durationType().atLeast(Duration.ofMillis(100)).defaultValue(Duration.ofSeconds(30))
            .doc("How long the submitter (and the sluice-submit status, kill and list commands) tries to reach the "
                    + "ResourceManager before failing with an error; also how long an ApplicationMaster waits to register "
                    + "(to unregister, at least as long as yarn.resourcemanager.connect.max-wait.ms).");
    public static final ConfigKey<Boolean> EXECUTOR_NODE_LOCALITY = ConfigKey.key("sluice.yarn.executor.nodeLocality")
            .booleanType().defaultValue(true)
            .doc("Executor container requests name the nodes of the executors that run receivers or host state as "
                    + "preferred, so that new executors start next to the data they will work on. A preference only "
                    + "(relaxed locality): YARN's scheduler falls back to other nodes after its locality delay (the "
                    + "CapacityScheduler's yarn.scheduler.capacity.node-locality-delay), which can hold a scale-up back "
                    + "when those nodes are full; false asks for any node.");
    public static final ConfigKey<String> JAVA_HOME = ConfigKey.key("sluice.yarn.javaHome").stringType().defaultValue("")
            .doc("The Java installation containers run (ApplicationMaster and executors); empty means the NodeManager's "
                    + "JAVA_HOME.");

    @Override
    public String module() {
        return MODULE;
    }

    @Override
    public List<ConfigKey<?>> keys() {
        return List.of(QUEUE, MAX_APP_ATTEMPTS, ATTEMPT_FAILURES_VALIDITY, RM_CONNECT_TIMEOUT, EXECUTOR_NODE_LOCALITY, JAVA_HOME);
    }
}
