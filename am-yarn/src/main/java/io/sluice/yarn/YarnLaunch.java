package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
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
 * ApplicationMaster (executor containers). The staging directory {@code <stagingBase>/<appId>/} holds
 * {@code app/<the application jar>}, {@code libs/<Sluice's jars>} and {@code conf/} (the generated
 * {@value #SLUICE_CONF_FILE} and the submitter's Hadoop configuration as {@code core-site.xml}/{@code yarn-site.xml}/
 * {@code hdfs-site.xml}); each file becomes a {@link LocalResource} linked as {@code __sluice_app__/..},
 * {@code __sluice_libs__/..} and {@code __sluice_conf__/..} in the container's working directory, and the container
 * class path is the conf directory first (so containers find the ResourceManager and {@code fs.defaultFS} the
 * submitter used), then the application jar, Sluice's jars, and the NodeManager's {@code $HADOOP_CONF_DIR}.
 */
public final class YarnLaunch {
    /** Environment of the ApplicationMaster: the fully qualified staging directory of the application. */
    public static final String ENV_STAGING_DIR = "SLUICE_YARN_STAGING_DIR";
    /** Environment of the ApplicationMaster: how many attempts YARN makes (so the last one unregisters as FAILED). */
    public static final String ENV_MAX_ATTEMPTS = "SLUICE_YARN_MAX_ATTEMPTS";
    /** Environment of the ApplicationMaster: {@code sluice.yarn.am.attemptFailuresValidityInterval} in ms (0: none). */
    public static final String ENV_ATTEMPT_VALIDITY_MS = "SLUICE_YARN_ATTEMPT_VALIDITY_MS";
    public static final String SLUICE_CONF_FILE = "sluice.conf";
    /** The staged log4j2 configuration ({@code sluice.yarn.log4jConfig}), if any. */
    public static final String LOG4J_FILE = "log4j2.xml";
    static final String APP_DIR = "app";
    static final String LIBS_DIR = "libs";
    static final String CONF_DIR = "conf";
    static final String APP_LINK = "__sluice_app__";
    static final String LIBS_LINK = "__sluice_libs__";
    static final String CONF_LINK = "__sluice_conf__";
    /** Settings an executor needs before it registers (the rest comes from the driver), passed as {@code -D}. */
    private static final List<String> STARTUP_PREFIXES = List.of("sluice.rpc.", "sluice.kryo.", "sluice.network.");
    static final List<String> ADD_OPENS = List.of(
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");

    private YarnLaunch() {
    }

    /** Every file of the staging directory {@code dir} as a local resource, keyed by its link name. */
    public static Map<String, LocalResource> localResources(FileSystem fs, Path dir) throws IOException {
        var resources = new HashMap<String, LocalResource>();
        for (var sub : List.of(Map.entry(APP_DIR, APP_LINK), Map.entry(LIBS_DIR, LIBS_LINK), Map.entry(CONF_DIR, CONF_LINK))) {
            Path p = new Path(dir, sub.getKey());
            if (!fs.exists(p)) {
                continue;
            }
            for (FileStatus st : fs.listStatus(p)) {
                if (st.isFile()) {
                    resources.put(sub.getValue() + "/" + st.getPath().getName(), LocalResource.newInstance(
                            URL.fromPath(fs.makeQualified(st.getPath())), LocalResourceType.FILE,
                            LocalResourceVisibility.APPLICATION, st.getLen(), st.getModificationTime()));
                }
            }
        }
        if (resources.keySet().stream().noneMatch(k -> k.startsWith(LIBS_LINK + "/"))) {
            throw new IOException("the staging directory " + dir + " holds no Sluice jars under " + LIBS_DIR + "/");
        }
        return resources;
    }

    /** The container's {@code CLASSPATH}: conf directory, application jar, Sluice's jars, the NodeManager's Hadoop conf. */
    public static String classPath() {
        String pwd = Environment.PWD.$$();
        return String.join(ApplicationConstants.CLASS_PATH_SEPARATOR,
                pwd + "/" + CONF_LINK,
                pwd + "/" + APP_LINK + "/*",
                pwd + "/" + LIBS_LINK + "/*",
                Environment.HADOOP_CONF_DIR.$$());
    }

    /** {@code <java home>/bin/java}: {@code sluice.yarn.javaHome}, else the NodeManager's {@code JAVA_HOME}. */
    public static String javaCommand(SluiceConf conf) {
        String home = conf.get(SluiceConf.YARN_JAVA_HOME);
        return (home.isBlank() ? Environment.JAVA_HOME.$$() : home) + "/bin/java";
    }

    /** {@code -Dlog4j2.configurationFile=...} when {@code resources} hold a staged log4j2 configuration. */
    public static List<String> loggingOptions(Map<String, LocalResource> resources) {
        String link = CONF_LINK + "/" + LOG4J_FILE;
        return resources.containsKey(link) ? List.of("-Dlog4j2.configurationFile=" + link) : List.of();
    }

    /** The JVM options every executor container starts with: heap, OOM exit, add-opens, startup settings, extras. */
    public static List<String> executorJvmOptions(SluiceConf conf, int heapMb) {
        var opts = new ArrayList<String>();
        opts.add("-Xmx" + heapMb + "m");
        opts.add("-XX:+ExitOnOutOfMemoryError");
        opts.add("-Dlog4j2.shutdownHookEnabled=false");
        opts.addAll(ADD_OPENS);
        conf.asMap().forEach((k, v) -> {
            if (STARTUP_PREFIXES.stream().anyMatch(k::startsWith)) {
                opts.add(quote("-D" + k + "=" + v));
            }
        });
        opts.addAll(splitOptions(conf.get(SluiceConf.YARN_EXECUTOR_JAVA_OPTIONS)));
        return opts;
    }

    static List<String> splitOptions(String options) {
        return options.isBlank() ? List.of() : Arrays.asList(options.trim().split("\\s+"));
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
