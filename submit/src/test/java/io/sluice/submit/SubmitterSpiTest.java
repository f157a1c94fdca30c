package io.sluice.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.SubmitterFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sluice-submit names no backend: a cluster manager installed only through the submitter SPI ({@link FakeSubmitterFactory},
 * listed in a services file of the class loader sluice-submit searches) gets the submission in cluster deploy mode,
 * is followed by the shared status loop, and answers status, kill and list.
 */
class SubmitterSpiTest {
    @TempDir
    Path dir;
    private URLClassLoader backends;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void installTheFakeBackend() throws IOException {
        Path services = Files.createDirectories(dir.resolve("installed/META-INF/services"));
        Files.writeString(services.resolve(SubmitterFactory.class.getName()), FakeSubmitterFactory.class.getName() + "\n");
        backends = new URLClassLoader(new URL[] {dir.resolve("installed").toUri().toURL()}, SubmitterSpiTest.class.getClassLoader());
    }

    @AfterEach
    void close() throws IOException {
        backends.close();
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return SluiceSubmit.run(backends, Map.of(), new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path appJar() throws IOException {
        return Files.write(dir.resolve("app.jar"), new byte[] {'P', 'K'});
    }

    @Test
    void aClusterMasterIsSubmittedThroughTheSubmitterThatClaimsItAndFollowedToItsEnd() throws Exception {
        var cluster = FakeSubmitterFactory.cluster("submit");
        int code = run("--master", "fake://submit", "--class", "com.example.Main", "--conf", "sluice.submit.statusInterval=10ms",
                appJar().toString(), "in", "out");

        assertThat(code).as(out + "\n" + err).isEqualTo(SluiceSubmit.OK);
        assertThat(cluster.calls).startsWith("submit com.example.Main [in, out]")
                .containsSubsequence("status fake_submit_1", "cleanUp fake_submit_1", "close")
                .endsWith("cleanUp fake_submit_1", "close");
        assertThat(cluster.apps.get("fake_submit_1").state).isEqualTo(ApplicationState.SUCCEEDED);
        assertThat(out.toString().lines().toList()).containsSubsequence("fake: accepted fake_submit_1",
                "Application id: fake_submit_1",
                "fake_submit_1 (com.example.Main, fake queue): FAKE_SUBMITTED",
                "fake_submit_1 (com.example.Main, fake queue): FAKE_RUNNING",
                "fake_submit_1 (com.example.Main, fake queue): FAKE_SUCCEEDED");
    }

    @Test
    void anApplicationThatFailsOnTheClusterExitsWithTheFailureAndItsDiagnostics() throws Exception {
        int code = run("--master", "fake://failing", "--class", FakeSubmitterFactory.FAILING_MAIN,
                "--conf", "sluice.submit.statusInterval=10ms", appJar().toString());

        assertThat(code).isEqualTo(SluiceSubmit.APP_FAILED);
        assertThat(err.toString().strip()).isEqualTo("sluice-submit: application fake_failing_1 ended FAKE_FAILED: the driver threw");
    }

    @Test
    void statusKillAndListAskTheSubmitterOfTheMasterOrOfTheBackendOwningTheId() throws Exception {
        var cluster = FakeSubmitterFactory.cluster("query");
        assertThat(run("--master", "fake://query", "--class", "com.example.Main", "--conf", "sluice.submit.waitAppCompletion=false",
                appJar().toString())).isEqualTo(SluiceSubmit.OK);
        assertThat(run("--master", "fake://query", "--class", "com.example.Other", "--conf", "sluice.submit.waitAppCompletion=false",
                appJar().toString())).isEqualTo(SluiceSubmit.OK);
        assertThat(cluster.apps).containsOnlyKeys("fake_query_1", "fake_query_2");

        assertThat(run("status", "fake_query_1")).as("found by the id's form: " + err).isEqualTo(SluiceSubmit.OK);
        assertThat(out.toString().strip()).isEqualTo("fake_query_1 (com.example.Main, fake queue): FAKE_SUBMITTED");

        assertThat(run("kill", "fake_query_2")).isEqualTo(SluiceSubmit.OK);
        assertThat(out.toString().strip()).isEqualTo("Killed fake_query_2");
        assertThat(cluster.apps.get("fake_query_2").state).isEqualTo(ApplicationState.KILLED);

        assertThat(run("list", "--master", "fake://query")).isEqualTo(SluiceSubmit.OK);
        assertThat(out.toString().lines().toList()).containsExactly(
                "fake_query_1 (com.example.Main, fake queue): FAKE_RUNNING",
                "fake_query_2 (com.example.Other, fake queue): FAKE_KILLED");
        assertThat(cluster.calls).containsSubsequence("status fake_query_1", "kill fake_query_2", "list");
    }

    @Test
    void theInstalledBackendsAreWhatTheClassPathHolds() {
        assertThat(run("--master", "mesos://m:5050", "--class", "M", "app.jar")).isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("installed masters: local, local[N], local[*], fake://<cluster>, "
                + "local-cluster[E,C,M], yarn");

        assertThat(run("list")).as("two backends answer list: which one?").isEqualTo(SluiceSubmit.USAGE);
        assertThat(err.toString()).contains("name the master to ask with --master").contains("fake://<cluster>: fake_<cluster>_<n>")
                .contains("yarn: application_<cluster timestamp>_<n>");
        assertThat(List.of(run("status", "app-7"), run("kill", "app-7"))).containsOnly(SluiceSubmit.USAGE);
    }
}
