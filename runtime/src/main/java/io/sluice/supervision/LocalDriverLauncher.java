package io.sluice.supervision;

import io.sluice.conf.SluiceConf;
import io.sluice.serde.RequiredJvmOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Starts each driver attempt as a child JVM of this one, running {@link DriverMain}:
 * {@code $JAVA_HOME/bin/java <jvm options> --add-opens ... -Dsluice.*=... -cp <class path> DriverMain <main class>
 * <args>}, with {@code sluice.app.id} (the same for every attempt), {@code sluice.app.attempt=<n>} and
 * {@code sluice.driver.progressFile=<workDir>/attempt-<n>/progress} added to the configuration. Its stdout and
 * stderr go to {@code <workDir>/attempt-<n>/stdout|stderr}, or to this process's with {@code inheritIo} (a
 * command-line run); the outcome is read from its {@link DriverExitCode exit code}, with the end of its stderr as
 * diagnostics.
 *
 * @param conf      the application's {@code sluice.*} settings, passed as system properties
 * @param classPath the driver's class path (the application jar, its jars, Sluice's jars)
 */
public record LocalDriverLauncher(String appId, SluiceConf conf, List<String> jvmOptions, List<String> classPath,
                                  String mainClass, List<String> args, Path workDir, boolean inheritIo)
        implements DriverLauncher {
    private static final Logger LOG = LogManager.getLogger(LocalDriverLauncher.class);
    private static final int STDERR_TAIL_LINES = 5;

    public LocalDriverLauncher {
        jvmOptions = List.copyOf(jvmOptions);
        classPath = List.copyOf(classPath);
        args = List.copyOf(args);
    }

    /** The command of attempt {@code attempt}. */
    public List<String> command(int attempt, Path progressFile) {
        var props = new TreeMap<String, String>(conf.asMap());
        props.put(SluiceConf.APP_ID.name(), appId);
        props.put(SluiceConf.APP_ATTEMPT.name(), Integer.toString(attempt));
        props.put(SluiceConf.DRIVER_PROGRESS_FILE.name(), progressFile.toAbsolutePath().toString());
        var cmd = new ArrayList<String>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(RequiredJvmOptions.OPTIONS);
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(String.join(File.pathSeparator, classPath));
        cmd.add(DriverMain.class.getName());
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    @Override
    public LaunchedDriver launch(int attempt) throws IOException {
        Path dir = workDir.resolve("attempt-" + attempt).toAbsolutePath();
        Files.createDirectories(dir);
        Path progress = dir.resolve("progress");
        Files.deleteIfExists(progress);
        Files.deleteIfExists(DriverMain.outcomeFile(progress));
        var pb = new ProcessBuilder(command(attempt, progress));
        pb.environment().keySet().removeIf(k -> k.startsWith("SLUICE_")); // never inherit an executor's settings
        Path stderr = dir.resolve("stderr");
        if (inheritIo) {
            pb.inheritIO();
        } else {
            pb.redirectOutput(dir.resolve("stdout").toFile()).redirectError(stderr.toFile());
        }
        Process process = pb.start();
        LOG.info("Application {}: started driver attempt {} (pid {}){}", appId, attempt, process.pid(),
                inheritIo ? "" : ", logs in " + dir);
        return new ChildDriver(process, progress, inheritIo ? null : stderr);
    }

    /** One driver JVM. */
    private record ChildDriver(Process process, Path progressFile, Path stderr) implements LaunchedDriver {
        @Override
        public Optional<DriverOutcome> awaitEnd(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            return Optional.of(DriverExitCode.outcomeOf(process.exitValue(), diagnostics()));
        }

        @Override
        public Optional<DriverProgress> progress() {
            return DriverProgress.read(progressFile);
        }

        @Override
        public void kill(Duration grace) {
            process.destroy();
            var forcing = new Thread(() -> {
                try {
                    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                        process.descendants().forEach(ProcessHandle::destroyForcibly);
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }, "sluice-driver-kill-" + process.pid());
            forcing.setDaemon(true);
            forcing.start();
        }

        /** The driver's own statement of its outcome ({@link DriverMain}), else its last stderr lines. */
        private String diagnostics() {
            try {
                Path outcome = DriverMain.outcomeFile(progressFile);
                if (Files.exists(outcome)) {
                    return Files.readString(outcome, StandardCharsets.UTF_8).strip();
                }
                if (stderr == null) {
                    return "";
                }
                List<String> lines = Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank()).toList();
                return String.join("\n", lines.subList(Math.max(0, lines.size() - STDERR_TAIL_LINES), lines.size()));
            } catch (IOException | RuntimeException e) {
                return "";
            }
        }
    }
}
