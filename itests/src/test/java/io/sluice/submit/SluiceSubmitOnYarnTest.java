package io.sluice.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.yarn.MiniYarnDfs;
import io.sluice.yarn.YarnApps;
import io.sluice.yarn.app.YarnWordCountApp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code sluice-submit} command line against a real YARN and HDFS (one {@link MiniYarnDfs} for the class, its
 * client configuration in a {@code HADOOP_CONF_DIR}): what a user types and sees, and the exit codes — a job that
 * succeeds (0), one whose main class does not exist (1, with YARN's diagnostics), an unknown queue (3, nothing
 * submitted), and {@code list}, {@code status} and {@code kill} on a running application.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SluiceSubmitOnYarnTest {
    private static final Pattern APP_ID = Pattern.compile("Application id: (application_\\d+_\\d+)");
    private static MiniYarnDfs cluster;
    private static Map<String, String> env;
    private static Path appJar;
    private static List<String> baseConf;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("sluice-submit-yarn");
        env = Map.of("HADOOP_CONF_DIR", cluster.writeConf().toString());
        appJar = YarnApps.packApp("sluice-submit-apps.jar");
        baseConf = new ArrayList<>();
        YarnApps.appConf().asMap().forEach((k, v) -> baseConf.addAll(List.of("--conf", k + "=" + v)));
        baseConf.addAll(List.of("--conf", "sluice.submit.sluiceJars=" + String.join(",",
                YarnApps.sluiceJars().stream().map(Path::toString).toList())));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void clearOutput() {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
    }

    private int run(String... args) {
        return SluiceSubmit.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    /** {@code sluice-submit --master yarn --deploy-mode cluster <base conf> <extra> --class C app.jar args}. */
    private int submit(List<String> extra, String mainClass, String... appArgs) {
        var args = new ArrayList<>(List.of("--master", "yarn", "--deploy-mode", "cluster"));
        args.addAll(baseConf);
        args.addAll(extra);
        args.addAll(List.of("--class", mainClass, appJar.toString()));
        args.addAll(List.of(appArgs));
        return run(args.toArray(String[]::new));
    }

    private String appIdIn(String text) {
        var m = APP_ID.matcher(text);
        assertThat(m.find()).as("an application id in: %s", text).isTrue();
        return m.group(1);
    }

    @Test
    void aJobThatSucceedsExitsZeroAfterPrintingItsProgress() throws Exception {
        String output = cluster.fs().makeQualified(new org.apache.hadoop.fs.Path("/cli/ok/counts")).toString();
        int code = submit(List.of("--name", "cli-word-count"), YarnWordCountApp.class.getName(), output, "/cli/ok/cp", "2");
        assertThat(code).as("exit code; out: %s err: %s", out, err).isZero();
        String appId = appIdIn(out.toString());
        assertThat(out.toString()).contains("Submitted application " + appId).contains("RUNNING")
                .contains("FINISHED/SUCCEEDED");

        clearOutput();
        assertThat(run("list")).isZero();
        assertThat(out.toString()).contains(appId).contains("cli-word-count").contains("FINISHED/SUCCEEDED");
        clearOutput();
        assertThat(run("status", appId)).isZero();
        assertThat(out.toString().strip()).startsWith(appId + " (cli-word-count, queue ").contains("FINISHED/SUCCEEDED");
    }

    @Test
    void aMainClassThatDoesNotExistExitsOneWithYarnsDiagnostics() {
        int code = submit(List.of(), "com.example.NoSuchMain");
        assertThat(code).as("out: %s", out).isEqualTo(SluiceSubmit.APP_FAILED);
        String appId = appIdIn(out.toString());
        assertThat(err.toString()).startsWith("sluice-submit: application " + appId + " ended FINISHED/FAILED: ")
                .contains("Main class com.example.NoSuchMain was not found");
    }

    @Test
    void anUnknownQueueExitsThreeWithOneLineAndSubmitsNothing() throws Exception {
        int before;
        try (var client = cluster.yarnClient()) {
            before = client.getApplications().size();
        }
        int code = submit(List.of("--queue", "nightly"), YarnWordCountApp.class.getName(), "/cli/q", "/cli/q-cp", "2");
        assertThat(code).isEqualTo(SluiceSubmit.REFUSED);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: Queue 'nightly' does not exist on the "
                + "ResourceManager (sluice.yarn.queue/--queue); known queues: [default]");
        try (var client = cluster.yarnClient()) {
            assertThat(client.getApplications()).hasSize(before);
        }
    }

    @Test
    void aRunningApplicationIsListedAndKilled() throws Exception {
        String output = cluster.fs().makeQualified(new org.apache.hadoop.fs.Path("/cli/long/counts")).toString();
        // 600 one-second batches: running until killed; the command returns once YARN accepted it (set under the key's
        // deprecated name, which still works, with a warning)
        int code = submit(List.of("--name", "cli-long", "--conf", "sluice.yarn.submit.waitAppCompletion=false"),
                YarnWordCountApp.class.getName(), output, "/cli/long/cp", "600");
        assertThat(code).as("err: %s", err).isZero();
        assertThat(err.toString()).contains("sluice-submit: warning: sluice.yarn.submit.waitAppCompletion is deprecated; "
                + "use sluice.submit.waitAppCompletion (its value is used)");
        String appId = appIdIn(out.toString());
        try (var client = cluster.yarnClient()) {
            MiniYarnDfs.await(Duration.ofMinutes(2), appId + " running", () -> {
                try {
                    return client.getApplicationReport(ApplicationId.fromString(appId)).getYarnApplicationState()
                            == YarnApplicationState.RUNNING;
                } catch (Exception e) {
                    return false;
                }
            });
            clearOutput();
            assertThat(run("list")).isZero();
            assertThat(out.toString()).contains(appId).contains("cli-long").contains("RUNNING");

            clearOutput();
            assertThat(run("kill", appId)).as("err: %s", err).isZero();
            MiniYarnDfs.await(Duration.ofMinutes(1), appId + " killed", () -> {
                try {
                    return client.getApplicationReport(ApplicationId.fromString(appId)).getYarnApplicationState()
                            == YarnApplicationState.KILLED;
                } catch (Exception e) {
                    return false;
                }
            });
            clearOutput();
            assertThat(run("status", appId)).isZero();
            assertThat(out.toString()).contains(appId).contains("KILLED");
        }
    }
}
