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
 * {@code app/} (the application jar and the {@code --jars}), {@code files/} (the {@code --files}), {@code conf/} (the
 * generated {@value #SLUICE_CONF_FILE} and the submitter's Hadoop configuration as {@code core-site.xml}/
 * {@code yarn-site.xml}/{@code hdfs-site.xml}) and {@value #LIBS_MANIFEST}, which names Sluice's jars in the jar cache
 * ({@link JarCache}, outside the staging directory; a {@code libs/} directory of the staging directory is also read).
 * Each file becomes a {@link LocalResource} linked as {@code __sluice_app__/..}, {@code <file name>} (the files, in
 * the working directory itself), {@code __sluice_conf__/..} and {@code __sluice_libs__/..}; the container class path is
 * the conf directory first (so containers find the ResourceManager and {@code fs.defaultFS} the submitter used), then
 * the application's jars, Sluice's jars, and the NodeManager's {@code $HADOOP_CONF_DIR}.
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
    static final String FILES_DIR = "files";
    /** In the staging directory: one line {@code <link name>\t<qualified path>} per Sluice jar in the jar cache. */
    static final String LIBS_MANIFEST = "sluice-libs.txt";
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

    /**
     * Every file of the staging directory {@code dir} and every cached jar its {@value #LIBS_MANIFEST} names, as a
     * local resource keyed by its link name. Cached jars are {@link LocalResourceVisibility#PRIVATE} (a NodeManager
     * keeps them for the user's later applications), the rest {@link LocalResourceVisibility#APPLICATION}.
     */
    public static Map<String, LocalResource> localResources(FileSystem fs, Path dir) throws IOException {
        var resources = new HashMap<String, LocalResource>();
        for (var sub : List.of(Map.entry(APP_DIR, APP_LINK + "/"), Map.entry(LIBS_DIR, LIBS_LINK + "/"),
                Map.entry(CONF_DIR, CONF_LINK + "/"), Map.entry(FILES_DIR, ""))) {
            Path p = new Path(dir, sub.getKey());
            if (!fs.exists(p)) {
                continue;
            }
            for (FileStatus st : fs.listStatus(p)) {
                if (st.isFile()) {
                    resources.put(sub.getValue() + st.getPath().getName(), resource(fs, st, LocalResourceVisibility.APPLICATION));
                }
            }
        }
        Path manifest = new Path(dir, LIBS_MANIFEST);
        if (fs.exists(manifest)) {
            for (String line : readLines(fs, manifest)) {
                int tab = line.indexOf('\t');
                if (tab <= 0) {
                    continue;
                }
                Path jar = new Path(line.substring(tab + 1));
                FileStatus st;
                try {
                    st = fs.getFileStatus(jar);
                } catch (java.io.FileNotFoundException e) {
                    throw new IOException("Sluice jar " + jar + " named by " + manifest + " is gone from the jar cache ("
                            + SluiceConf.SUBMIT_JAR_CACHE_DIR.name() + "); submit the application again", e);
                }
                resources.put(LIBS_LINK + "/" + line.substring(0, tab), resource(fs, st, LocalResourceVisibility.PRIVATE));
            }
        }
        if (resources.keySet().stream().noneMatch(k -> k.startsWith(LIBS_LINK + "/"))) {
            throw new IOException("the staging directory " + dir + " names no Sluice jars (" + LIBS_MANIFEST + ", "
                    + LIBS_DIR + "/)");
        }
        return resources;
    }

    private static LocalResource resource(FileSystem fs, FileStatus st, LocalResourceVisibility visibility) {
        return LocalResource.newInstance(URL.fromPath(fs.makeQualified(st.getPath())), LocalResourceType.FILE, visibility,
                st.getLen(), st.getModificationTime());
    }

    private static List<String> readLines(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            return Arrays.asList(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n"));
        }
    }

    /**
     * The container's {@code CLASSPATH}: the conf directory, the working directory (so that {@code --files} are
     * resources, too), the application's jars, Sluice's jars, the NodeManager's Hadoop conf.
     */
    public static String classPath() {
        String pwd = Environment.PWD.$$();
        return String.join(ApplicationConstants.CLASS_PATH_SEPARATOR,
                pwd + "/" + CONF_LINK,
                pwd,
                pwd + "/" + APP_LINK + "/*",
                pwd + "/" + LIBS_LINK + "/*",
                Environment.HADOOP_CONF_DIR.$$());
    }

    /** {@code <java home>/bin/java}: {@code sluice.yarn.javaHome}, else the NodeManager's {@code JAVA_HOME}. */
    public static String javaCommand(SluiceConf conf) {
        String home = conf.get(YarnConf.JAVA_HOME);
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
        opts.addAll(splitOptions(conf.get(SluiceConf.EXECUTOR_JAVA_OPTIONS)));
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
