package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.Staging;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.ApplicationConstants;
import org.apache.hadoop.yarn.api.ApplicationConstants.Environment;
import org.apache.hadoop.yarn.api.records.LocalResource;
import org.apache.hadoop.yarn.api.records.LocalResourceType;
import org.apache.hadoop.yarn.api.records.LocalResourceVisibility;
import org.apache.hadoop.yarn.api.records.URL;

/**
 * How Sluice's YARN containers are laid out, shared by the submitter (the ApplicationMaster's container) and the
 * ApplicationMaster (executor containers): every file the shared {@link Staging} put in the application's staging
 * directory (and every cached Sluice jar it names) becomes a {@link LocalResource} under its link name (see
 * {@link Staging#list}); the container class path is {@link Staging#CLASS_PATH} in the container's working directory,
 * then the NodeManager's {@code $HADOOP_CONF_DIR}.
 */
public final class YarnLaunch {
    /** Environment of the ApplicationMaster: the fully qualified staging directory of the application. */
    public static final String ENV_STAGING_DIR = "SLUICE_YARN_STAGING_DIR";
    /** Environment of the ApplicationMaster: how many attempts YARN makes (so the last one unregisters as FAILED). */
    public static final String ENV_MAX_ATTEMPTS = "SLUICE_YARN_MAX_ATTEMPTS";
    /** Environment of the ApplicationMaster: {@code sluice.yarn.am.attemptFailuresValidityInterval} in ms (0: none). */
    public static final String ENV_ATTEMPT_VALIDITY_MS = "SLUICE_YARN_ATTEMPT_VALIDITY_MS";
    public static final String SLUICE_CONF_FILE = Staging.SLUICE_CONF_FILE;
    static final String CONF_LINK = Staging.CONF_LINK;
    private YarnLaunch() {
    }

    /**
     * Every staged file of the staging directory {@code dir} ({@link Staging#list}) as a local resource keyed by its
     * link name. Cached jars are {@link LocalResourceVisibility#PRIVATE} (a NodeManager keeps them for the user's later
     * applications), the rest {@link LocalResourceVisibility#APPLICATION}.
     */
    public static Map<String, LocalResource> localResources(FileSystem fs, Path dir) throws IOException {
        var resources = new HashMap<String, LocalResource>();
        for (Staging.StagedFile f : Staging.list(fs, dir)) {
            resources.put(f.link(), LocalResource.newInstance(URL.fromPath(f.path()), LocalResourceType.FILE,
                    f.cached() ? LocalResourceVisibility.PRIVATE : LocalResourceVisibility.APPLICATION, f.length(),
                    f.modificationTime()));
        }
        return resources;
    }

    /**
     * The container's {@code CLASSPATH}: the conf directory, the working directory (so that {@code --files} are
     * resources, too), the application's jars, Sluice's jars, the NodeManager's Hadoop conf.
     */
    public static String classPath() {
        String pwd = Environment.PWD.$$();
        var entries = new ArrayList<String>();
        for (String e : Staging.CLASS_PATH) {
            entries.add(e.equals(".") ? pwd : pwd + "/" + e);
        }
        entries.add(Environment.HADOOP_CONF_DIR.$$());
        return String.join(ApplicationConstants.CLASS_PATH_SEPARATOR, entries);
    }

    /** {@code <java home>/bin/java}: {@code sluice.yarn.javaHome}, else the NodeManager's {@code JAVA_HOME}. */
    public static String javaCommand(SluiceConf conf) {
        String home = conf.get(YarnConf.JAVA_HOME);
        return (home.isBlank() ? Environment.JAVA_HOME.$$() : home) + "/bin/java";
    }

    /** {@code -Dlog4j2.configurationFile=...} when {@code resources} hold a staged log4j2 configuration. */
    public static List<String> loggingOptions(Map<String, LocalResource> resources) {
        String link = CONF_LINK + "/" + Staging.LOG4J_FILE;
        return resources.containsKey(link) ? List.of("-Dlog4j2.configurationFile=" + link) : List.of();
    }

    /** Redirects of a container command to the container's log directory, where YARN's log aggregation finds them. */
    public static String logRedirects() {
        return "1>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR + "/stdout 2>" + ApplicationConstants.LOG_DIR_EXPANSION_VAR
                + "/stderr";
    }

    /** Single-quotes {@code s} for the container's launch script (which runs the command through a shell). */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
