package io.sluice.submit;

import io.sluice.yarn.YarnConf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SluiceSubmitTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        return SluiceSubmit.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static SluiceSubmit parse(String... args) {
        var s = new SluiceSubmit(Map.of());
        SluiceSubmit.commandLine(s).parseArgs(args);
        return s;
    }

    @Test
    void sparkSubmitOptionsBecomeSluiceSettings() {
        var s = parse("--master", "yarn", "--deploy-mode", "cluster", "--class", "com.example.Main", "--name", "wc",
                "--queue", "streaming", "--conf", "sluice.yarn.memoryOverhead=300", "--driver-memory", "1g",
                "--executor-memory", "768m", "--executor-cores", "2", "--num-executors", "3", "app.jar", "a", "--b");
        SluiceConf conf = s.conf();
        assertThat(conf.get(SluiceConf.MASTER)).isEqualTo("yarn");
        assertThat(conf.get(SluiceConf.DRIVER_MEMORY_MB)).isEqualTo(1024);
        assertThat(conf.get(SluiceConf.APP_NAME)).isEqualTo("wc");
        assertThat(conf.get(YarnConf.QUEUE)).isEqualTo("streaming");
        assertThat(conf.get(SluiceConf.EXECUTOR_MEMORY_OVERHEAD_MB)).as("read under its deprecated name").isEqualTo(300);
        assertThat(conf.get(SluiceConf.DRIVER_MEMORY_OVERHEAD_MB)).isEqualTo(300);
        assertThat(conf.get(SluiceConf.DRIVER_MEMORY_MB)).isEqualTo(1024);
        assertThat(conf.get(SluiceConf.EXECUTOR_MEMORY_MB)).isEqualTo(768);
        assertThat(conf.get(SluiceConf.EXECUTOR_CORES)).isEqualTo(2);
        assertThat(conf.get(SluiceConf.EXECUTOR_INSTANCES)).isEqualTo(3);
        assertThat(s.jar).isEqualTo(Path.of("app.jar"));
        assertThat(s.appArgs).containsExactly("a", "--b");
    }

    @Test
    void memorySizesAcceptSparkUnits() {
        assertThat(SluiceSubmit.memoryMb("--x", "512m")).isEqualTo(512);
        assertThat(SluiceSubmit.memoryMb("--x", "2g")).isEqualTo(2048);
        assertThat(SluiceSubmit.memoryMb("--x", "2G")).isEqualTo(2048);
        assertThat(SluiceSubmit.memoryMb("--x", "300")).isEqualTo(300);
        assertThatThrownBy(() -> SluiceSubmit.memoryMb("--executor-memory", "lots"))
                .hasMessage("--executor-memory expects a size such as 512m or 2g, got 'lots'");
    }

    @Test
    void usageErrorsExitWith2AndOneLine() {
        assertThat(run(Map.of(), "--master", "yarn", "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).startsWith("sluice-submit: --class is required");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--master", "spark://h:7077", "--class", "M", "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: no backend installed for this master: 'spark://h:7077'; "
                + "installed masters: local, local[N], local[*], local-cluster[E,C,M], yarn (a cluster manager's backend is "
                + "installed by putting its module on the class path)");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--master", "yarn", "--deploy-mode", "nearby", "--class", "M", "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("--deploy-mode must be cluster or client, got 'nearby'");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--master", "yarn", "--class", "M", "--conf", "sluice.executor.memory=lots", "app.jar"))
                .isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("sluice.executor.memory");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--num-executors", "x")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("--num-executors").contains("Try 'sluice-submit --help'");
    }

    @Test
    void kubernetesAndMesosMastersAnswerThatNoBackendIsInstalledInEitherDeployMode() {
        for (String master : new String[] {"k8s://https://kube:6443", "mesos://m:5050"}) {
            for (String mode : new String[] {"cluster", "client"}) {
                err.getBuffer().setLength(0);
                assertThat(run(Map.of(), "--master", master, "--deploy-mode", mode, "--class", "M", "app.jar"))
                        .isEqualTo(SluiceSubmit.USAGE);
                assertThat(err.toString().strip()).startsWith("sluice-submit: no backend installed for this master: '" + master + "'")
                        .contains("installed masters: local, local[N], local[*], local-cluster[E,C,M], yarn");
            }
            err.getBuffer().setLength(0);
            assertThat(run(Map.of(), "status", "--master", master, "app-1")).isEqualTo(SluiceSubmit.USAGE);
            assertThat(err.toString()).contains("no backend installed for this master: '" + master + "'");
        }
    }

    @Test
    void unknownAndDeprecatedKeysAreWarnedOfAndBadValuesRefusedAllAtOnce() {
        assertThat(run(Map.of(), "--master", "local[1]", "--class", "M", "--conf", "sluice.streaming.backpresure.enabled=true",
                "--conf", "sluice.yarn.am.memory=640", "--conf", "sluice.executor.cores=0", "--conf", "sluice.ui.port=x",
                "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: sluice.executor.cores: expected >= 1, got 0; "
                + "sluice.ui.port: cannot parse 'x' as Integer");

        var s = parse("--master", "yarn", "--class", "M", "--conf", "sluice.streaming.backpresure.enabled=true",
                "--conf", "sluice.yarn.am.memory=640", "app.jar");
        var warnings = new StringWriter();
        s.err = new PrintWriter(warnings, true);
        assertThat(s.conf().get(SluiceConf.DRIVER_MEMORY_MB)).as("read under its deprecated name").isEqualTo(640);
        assertThat(warnings.toString().lines().toList()).containsExactlyInAnyOrder(
                "sluice-submit: warning: sluice.streaming.backpresure.enabled: unknown configuration key, ignored; "
                        + "did you mean sluice.streaming.backpressure.enabled?",
                "sluice-submit: warning: sluice.yarn.am.memory is deprecated; use sluice.driver.memory (its value is used)");
    }

    @Test
    void theQueueIsTheMastersQueueKeyAndALocalMasterHasNone() {
        assertThat(parse("--master", "yarn", "--class", "M", "--queue", "etl", "app.jar").conf().get(YarnConf.QUEUE))
                .isEqualTo("etl");
        assertThat(run(Map.of(), "--master", "local[2]", "--queue", "etl", "--class", "M", "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("--queue: master 'local[2]' has no queues");
    }

    @Test
    void jarsAndFilesBecomeAbsoluteCommaSeparatedSettings() {
        var s = parse("--master", "yarn", "--class", "M", "--jars", "lib/a.jar,lib/b.jar", "--jars", "c.jar",
                "--files", "words.txt", "app.jar");
        SluiceConf conf = s.conf();
        String cwd = Path.of("").toAbsolutePath().toString();
        assertThat(conf.get(SluiceConf.SUBMIT_JARS)).isEqualTo(cwd + "/lib/a.jar," + cwd + "/lib/b.jar," + cwd + "/c.jar");
        assertThat(conf.get(SluiceConf.SUBMIT_FILES)).isEqualTo(cwd + "/words.txt");
    }

    @Test
    void aMissingFileOrJarIsRefusedNamingItBeforeAnythingIsStaged(@TempDir Path dir) throws Exception {
        Path app = Files.writeString(dir.resolve("app.jar"), "not even a jar");
        // the ResourceManager is unreachable: the refusal must come before any contact
        assertThat(run(Map.of(), "--master", "yarn", "--class", "M", "--conf", "sluice.yarn.rm.connectTimeout=1s",
                "--files", dir.resolve("missing.txt").toString(), app.toString())).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: File " + dir.resolve("missing.txt")
                + " (--files, sluice.submit.files) does not exist or is not a readable file");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "--master", "local[1]", "--class", "M", "--jars", dir.resolve("helper.jar").toString(),
                app.toString())).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: Jar " + dir.resolve("helper.jar")
                + " (--jars, sluice.submit.jars) does not exist or is not a readable file");
    }

    @Test
    void aMissingJarIsRefusedBeforeYarnIsContacted() {
        assertThat(run(Map.of(), "--master", "yarn", "--class", "M", "--conf", "sluice.yarn.rm.connectTimeout=1s",
                "target/does-not-exist.jar")).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString().strip()).matches("sluice-submit: Application jar .*does-not-exist.jar does not exist");
    }

    @Test
    void anUnreachableResourceManagerFailsWithinTheConnectTimeout(@TempDir Path confDir) throws Exception {
        Files.writeString(confDir.resolve("yarn-site.xml"), """
                <configuration>
                  <property><name>yarn.resourcemanager.address</name><value>127.0.0.1:1</value></property>
                </configuration>
                """);
        long start = System.nanoTime();
        int code = run(Map.of("HADOOP_CONF_DIR", confDir.toString()), "status", "--conf", "sluice.yarn.rm.connectTimeout=2s",
                "application_1700000000000_0001");
        assertThat(code).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString()).startsWith("sluice-submit: Cannot get the report of application_1700000000000_0001")
                .contains("ResourceManager at 127.0.0.1:1");
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(System.nanoTime() - start).as("bounded, not hanging").isLessThan(60_000_000_000L);
    }

    @Test
    void anApplicationIdNoInstalledBackendRecognizesIsAUsageError() {
        assertThat(run(Map.of(), "kill", "app-42")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: 'app-42' is not an application id of an installed "
                + "backend (yarn: application_<cluster timestamp>_<n>)");

        err.getBuffer().setLength(0);
        assertThat(run(Map.of(), "status", "--master", "yarn", "app-42")).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: 'app-42' is not a YARN application id "
                + "(application_<cluster timestamp>_<n>)");
    }

    @Test
    void superviseWithALocalMasterRestartsAFailedDriverAndPrintsItsLifecycle(@TempDir Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        Path classes = Path.of(io.sluice.submit.app.FailsOnceMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (var jarOut = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            String entry = io.sluice.submit.app.FailsOnceMain.class.getName().replace('.', '/') + ".class";
            jarOut.putNextEntry(new java.util.zip.ZipEntry(entry));
            Files.copy(classes.resolve(entry), jarOut);
            jarOut.closeEntry();
        }
        int code = run(Map.of(), "--master", "local[1]", "--supervise", "--conf", "sluice.driver.restart.backoff=100ms",
                "--class", io.sluice.submit.app.FailsOnceMain.class.getName(), jar.toString());
        assertThat(code).as(out + "\n" + err).isEqualTo(SluiceSubmit.OK);
        assertThat(out.toString()).contains("driver SUBMITTED (attempt 1)", "driver STARTING (attempt 1)",
                "driver BACKING_OFF for 100 ms before attempt 2: the driver exited with code 1: "
                        + "java.lang.IllegalStateException: planned failure of attempt 1",
                "driver STARTING (attempt 2)", "driver SUCCEEDED (attempt 2)");
    }

    @Test
    void superviseWithAMissingMainClassFailsAtOnce(@TempDir Path dir) throws Exception {
        Path jar = Files.write(dir.resolve("empty.jar"), new byte[0]);
        try (var jarOut = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            jarOut.setComment("no classes");
        }
        int code = run(Map.of(), "--master", "local[1]", "--supervise", "--class", "com.example.NoSuchMain", jar.toString());
        assertThat(code).isEqualTo(SluiceSubmit.APP_FAILED);
        assertThat(out.toString()).contains("driver FAILED (attempt 1): ").contains("Main class com.example.NoSuchMain was not found")
                .doesNotContain("BACKING_OFF");
    }

    @Test
    void superviseInYarnClientModeIsAUsageError() {
        assertThat(run(Map.of(), "--master", "yarn", "--deploy-mode", "client", "--supervise", "--class", "M", "app.jar"))
                .isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("--supervise needs a supervisor for the driver");
    }
}
