package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.SubmitException;
import io.sluice.deploy.SubmitRequest;
import io.sluice.deploy.ApplicationState;
import io.sluice.deploy.ApplicationStatus;
import io.sluice.yarn.app.YarnSubmitOptionsApp;
import io.sluice.yarn.helper.Shouter;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.api.records.YarnApplicationState;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The submission-side options on a real YARN and HDFS (one {@link MiniYarnDfs} for the class), cluster deploy mode:
 * a job that needs a class from a {@code --jars} jar and a {@code --files} file (on the driver and the executors)
 * succeeds; the tracking URL YARN reports while it runs is the driver's UI, which answers; its staging directory is
 * removed at the end but Sluice's jars stay in the jar cache, from which a second submission takes them without
 * uploading anything.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class YarnSubmissionOptionsTest {
    private static final Logger LOG = LogManager.getLogger(YarnSubmissionOptionsTest.class);
    private static MiniYarnDfs cluster;
    private static Path appJar;
    private static Path helperJar;
    private static Path greeting;
    private static List<Path> sluiceJars;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = MiniYarnDfs.start("yarn-submission-options");
        Path dir = Files.createDirectories(Path.of("target", "yarn-submission-options-local")).toAbsolutePath();
        appJar = YarnApps.pack(YarnSubmitOptionsApp.class, dir.resolve("submit-options-app.jar"));
        helperJar = YarnApps.pack(Shouter.class, dir.resolve("shouter.jar"));
        greeting = Files.writeString(dir.resolve(YarnSubmitOptionsApp.FILE), "hello from files\n");
        sluiceJars = YarnApps.sluiceJars();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static SluiceConf appConf(boolean ui) {
        return YarnApps.appConf()
                .set(SluiceConf.APP_NAME.name(), "submit-options")
                .set(SluiceConf.UI_ENABLED.name(), Boolean.toString(ui))
                .set(SluiceConf.UI_PORT.name(), "0");
    }

    private static YarnSubmitter submitter(List<String> progress) {
        return new YarnSubmitter(cluster.conf(), new SluiceConf(false).set(SluiceConf.SUBMIT_STATUS_INTERVAL.name(), "250ms"),
                line -> {
                    progress.add(line);
                    LOG.info("submit: {}", line);
                });
    }

    private SubmitRequest request(SluiceConf conf, String out, int batches, String marker) {
        var args = new ArrayList<>(List.of(out, Integer.toString(batches)));
        if (marker != null) {
            args.add(marker);
        }
        return new SubmitRequest(appJar, YarnSubmitOptionsApp.class.getName(), args, conf, sluiceJars, List.of(helperJar),
                List.of(greeting));
    }

    @Test
    void jarsAndFilesReachDriverAndExecutorsTheTrackingUrlIsTheDriverUiAndSluiceJarsAreCachedAcrossSubmissions()
            throws Exception {
        FileSystem fs = cluster.fs();
        String out1 = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/options-1/shouts")).toString();
        var marker = fs.makeQualified(new org.apache.hadoop.fs.Path("/markers/options-1-stop"));
        var progress = new CopyOnWriteArrayList<String>();
        org.apache.hadoop.fs.Path cacheDir;
        Map<String, Long> cached;
        // a cache of this test's own, so that the first submission finds it empty whatever ran before
        String cache = "/jar-caches/options-cluster";
        try (var submitter = submitter(progress)) {
            ApplicationId appId = ApplicationId.fromString(submitter.submit(request(appConf(true).set(SluiceConf.SUBMIT_JAR_CACHE_DIR.name(), cache),
                    out1, 2, marker.toString())));
            cacheDir = fs.makeQualified(new org.apache.hadoop.fs.Path(cache));
            assertThat(progress).anyMatch(l -> l.startsWith("Sluice's jars: ") && l.contains(" 0 reused from the jar cache "
                    + cacheDir + ", ") && !l.endsWith(", 0 uploaded"));

            // while it runs, YARN's tracking URL is the driver's UI, and it answers
            ApplicationStatus running = awaitTrackingUrl(submitter, appId);
            assertThat(running.trackingUrl()).matches("http://[^/]+:\\d+/?");
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> apps = http.send(HttpRequest.newBuilder(URI.create(running.trackingUrl().replaceAll("/$", "")
                    + "/api/v1/applications")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(apps.statusCode()).isEqualTo(200);
            assertThat(apps.body()).contains(appId.toString());
            LOG.info("Tracking URL {} (ResourceManager proxy {}) answered {}", running.trackingUrl(), running.managerUrl(), apps.body());

            fs.create(marker).close();
            ApplicationStatus end = submitter.awaitCompletion(appId.toString(), Duration.ofMinutes(4));
            if (!end.succeeded()) {
                YarnApps.dumpLogs(cluster, appId.toString());
            }
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);

            // the --jars class and the --files file were there on the driver and on the executors
            assertThat(outputLines(fs, out1)).isNotEmpty()
                    .allMatch(l -> l.equals("HELLO FROM FILES!|X HELLO FROM FILES!") || l.equals("HELLO FROM FILES!|Y HELLO FROM FILES!"));

            assertThat(fs.exists(submitter.stagingDir(appId.toString()))).as("staging directory removed").isFalse();
            cached = cacheListing(fs, cacheDir);
            assertThat(cached).as("Sluice's jars stay in the cache " + cacheDir).hasSizeGreaterThanOrEqualTo(sluiceJars.size() / 2);
        }

        // a second submission takes every Sluice jar from the cache: nothing uploaded, nothing rewritten
        progress.clear();
        String out2 = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/options-2/shouts")).toString();
        try (var submitter = submitter(progress)) {
            ApplicationId appId = ApplicationId.fromString(submitter.submit(request(appConf(false).set(SluiceConf.SUBMIT_JAR_CACHE_DIR.name(), cache),
                    out2, 2, null)));
            assertThat(progress).anyMatch(l -> l.startsWith("Sluice's jars: ") && l.endsWith(" reused from the jar cache "
                    + cacheDir + ", 0 uploaded"));
            ApplicationStatus end = submitter.awaitCompletion(appId.toString(), Duration.ofMinutes(4));
            if (!end.succeeded()) {
                YarnApps.dumpLogs(cluster, appId.toString());
            }
            assertThat(end.state()).as(end.describe()).isEqualTo(ApplicationState.SUCCEEDED);
            assertThat(end.trackingUrl()).as("without a UI no driver URL is registered").isEqualTo(end.managerUrl());
            assertThat(outputLines(fs, out2)).isNotEmpty().allMatch(l -> l.startsWith("HELLO FROM FILES!|"));
            assertThat(fs.exists(submitter.stagingDir(appId.toString()))).as("staging directory removed").isFalse();
        }
        assertThat(cacheListing(fs, cacheDir)).as("same files, same modification times").isEqualTo(cached);
    }

    @Test
    void inClientModeTheLauncherRegistersTheDriverUiAndExecutorsGetTheJarsAndFiles() throws Exception {
        FileSystem fs = cluster.fs();
        String out = fs.makeQualified(new org.apache.hadoop.fs.Path("/out/options-client/shouts")).toString();
        var marker = fs.makeQualified(new org.apache.hadoop.fs.Path("/markers/options-client-stop"));
        SluiceConf conf = cluster.clientModeDriver(appConf(true), appJar, sluiceJars)
                .set(SluiceConf.SUBMIT_JARS.name(), helperJar.toString())
                .set(SluiceConf.SUBMIT_FILES.name(), greeting.toString());
        List<ApplicationId> before;
        try (var client = cluster.yarnClient()) {
            before = client.getApplications().stream().map(r -> r.getApplicationId()).toList();
        }
        var driver = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                YarnSubmitOptionsApp.run(conf, new String[] {out, "2", marker.toString()}, greeting.getParent());
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try (var client = cluster.yarnClient()) {
            // the launcher application's tracking URL becomes the UI of the driver in this JVM
            ApplicationStatus launcher = null;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (launcher == null) {
                for (var r : client.getApplications()) {
                    ApplicationStatus st = YarnStatus.of(r);
                    if (!before.contains(r.getApplicationId()) && st.trackingUrl().startsWith("http://")
                            && !st.trackingUrl().equals(st.managerUrl())) {
                        launcher = st;
                    }
                }
                assertThat(driver).as("the driver still runs").isNotDone();
                assertThat(System.nanoTime()).as("a launcher with the driver UI as tracking URL").isLessThan(deadline);
                Thread.sleep(250);
            }
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> apps = http.send(HttpRequest.newBuilder(URI.create(launcher.trackingUrl().replaceAll("/$", "")
                    + "/api/v1/applications")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(apps.statusCode()).isEqualTo(200);
            LOG.info("Launcher {} tracking URL {} answered {}", launcher.appId(), launcher.trackingUrl(), apps.body());

            fs.create(marker).close();
            driver.get(3, TimeUnit.MINUTES);
            assertThat(outputLines(fs, out)).isNotEmpty()
                    .allMatch(l -> l.equals("HELLO FROM FILES!|X HELLO FROM FILES!") || l.equals("HELLO FROM FILES!|Y HELLO FROM FILES!"));
            var launcherId = ApplicationId.fromString(launcher.appId());
            MiniYarnDfs.await(Duration.ofMinutes(1), "the launcher to end", () -> {
                try {
                    return YarnStatus.of(client.getApplicationReport(launcherId)).ended();
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(client.getApplicationReport(launcherId).getFinalApplicationStatus()).isEqualTo(FinalApplicationStatus.SUCCEEDED);
        }
    }

    @Test
    void aMissingFileIsRefusedNamingItBeforeAnythingIsStaged() throws Exception {
        FileSystem fs = cluster.fs();
        Path missing = greeting.resolveSibling("no-such-file.txt");
        var before = stagingEntries(fs);
        try (var submitter = submitter(new CopyOnWriteArrayList<>())) {
            assertThatThrownBy(() -> submitter.submit(new SubmitRequest(appJar, YarnSubmitOptionsApp.class.getName(),
                    List.of("/out/never", "1"), appConf(false), sluiceJars, List.of(helperJar), List.of(greeting, missing))))
                    .isInstanceOf(SubmitException.class)
                    .hasMessage("File " + missing + " (--files, sluice.submit.files) does not exist or is not a readable file");
        }
        assertThat(stagingEntries(fs)).isEqualTo(before);
    }

    private static List<String> stagingEntries(FileSystem fs) throws IOException {
        var base = new org.apache.hadoop.fs.Path(fs.getHomeDirectory(), ".sluice");
        if (!fs.exists(base)) {
            return List.of();
        }
        return java.util.Arrays.stream(fs.listStatus(base)).map(s -> s.getPath().getName()).sorted().toList();
    }

    /** Cached file → modification time. */
    private static Map<String, Long> cacheListing(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
        var out = new TreeMap<String, Long>();
        var it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            var st = it.next();
            out.put(st.getPath().toString(), st.getModificationTime());
        }
        return out;
    }

    private static ApplicationStatus awaitTrackingUrl(YarnSubmitter submitter, ApplicationId appId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            ApplicationStatus st = submitter.status(appId.toString());
            if (st.state() == ApplicationState.RUNNING && st.trackingUrl().startsWith("http://")
                    && !st.trackingUrl().equals(st.managerUrl())) {
                return st;
            }
            if (st.ended() || System.nanoTime() > deadline) {
                YarnApps.dumpLogs(cluster, appId.toString());
                throw new AssertionError("no driver UI as tracking URL: " + st.describe() + ", proxy " + st.managerUrl());
            }
            Thread.sleep(250);
        }
    }

    private static List<String> outputLines(FileSystem fs, String prefix) throws IOException {
        var lines = new ArrayList<String>();
        FileStatus[] batches = fs.globStatus(new org.apache.hadoop.fs.Path(prefix + "-*"));
        for (FileStatus batch : batches) {
            for (FileStatus part : fs.listStatus(batch.getPath(), p -> p.getName().startsWith("part-"))) {
                try (var in = fs.open(part.getPath())) {
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).forEach(lines::add);
                }
            }
        }
        return lines;
    }
}
