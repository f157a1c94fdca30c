package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** What the YARN tests submit: the test applications' jar, Sluice's jars, a configuration sized for MiniYARN. */
public final class YarnApps {
    private static final Logger LOG = LogManager.getLogger(YarnApps.class);

    private YarnApps() {
    }

    /** An application jar holding the test applications' classes only (Sluice comes from Sluice's jars). */
    public static Path packApp(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "yarn-apps")).toAbsolutePath();
        return pack(io.sluice.yarn.app.YarnWordCountApp.class, dir.resolve(name));
    }

    /** A jar of the classes of {@code c}'s package (not its subpackages), from a class directory or a jar. */
    static Path pack(Class<?> c, Path jar) throws IOException {
        Path source = Path.of(c.getProtectionDomain().getCodeSource().getLocation().getPath());
        String pkg = c.getPackageName().replace('.', '/') + "/";
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.list(source.resolve(pkg))) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        out.putNextEntry(new ZipEntry(source.relativize(f).toString().replace(File.separatorChar, '/')));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            } else {
                try (var in = new java.util.jar.JarFile(source.toFile())) {
                    for (var e : java.util.Collections.list(in.entries())) {
                        String name = e.getName();
                        if (name.startsWith(pkg) && !e.isDirectory() && name.indexOf('/', pkg.length()) < 0) {
                            out.putNextEntry(new ZipEntry(name));
                            try (var data = in.getInputStream(e)) {
                                data.transferTo(out);
                            }
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        return jar;
    }

    /** This JVM's class path minus the test harness (minicluster, test frameworks, this module's test classes). */
    public static List<Path> sluiceJars() {
        var excluded = List.of("hadoop-client-minicluster", "junit", "mockito", "surefire", "assertj", "opentest4j",
                "apiguardian", "byte-buddy", "reload4j", "hamcrest", "test-classes", "selenium", "bcpkix", "bcprov", "bcutil");
        return io.sluice.deploy.Staging.currentClassPath().stream()
                .filter(p -> excluded.stream().noneMatch(x -> p.toString().contains(x)))
                .toList();
    }

    /** Two small executors, a small AM, no UI, the project's log4j2 configuration in the containers. */
    public static SluiceConf appConf() {
        return new SluiceConf(false)
                .set(SluiceConf.APP_NAME.name(), "yarn-word-count")
                .set(SluiceConf.EXECUTOR_INSTANCES.name(), "2")
                .set(SluiceConf.EXECUTOR_MEMORY_MB.name(), "256")
                .set(SluiceConf.DRIVER_MEMORY_MB.name(), "384")
                .set(SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB.name(), "192")
                .set(SluiceConf.DRIVER_MEMORY_OVERHEAD_MB.name(), "192")
                .set(YarnConf.JAVA_HOME.name(), MiniYarnDfs.javaHome().getPath())
                .set(SluiceConf.UI_ENABLED.name(), "false")
                .set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms")
                .set(SluiceConf.SUBMIT_LOG4J_CONFIG.name(), Path.of("..", "conf", "log4j2.xml").toAbsolutePath().normalize().toString());
    }

    /** Logs the tail of every container log of {@code appId}, for a look after a failure. */
    public static void dumpLogs(MiniYarnDfs cluster, String appId) throws IOException {
        for (Path dir : cluster.containerLogDirs(appId)) {
            for (String f : List.of("stdout", "stderr")) {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    String text = Files.readString(p);
                    LOG.error("==== {}\n{}", p, text.length() > 30000 ? text.substring(text.length() - 30000) : text);
                }
            }
        }
    }
}
