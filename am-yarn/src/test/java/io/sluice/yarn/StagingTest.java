package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.LocalResourceVisibility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging on a local file system: the application's jar, {@code --jars} and {@code --files} in its staging
 * directory, Sluice's jars in the jar cache (reused by the next application), and the local resources containers get.
 */
class StagingTest {
    @TempDir
    Path tmp;
    private final List<String> progress = new ArrayList<>();
    private YarnSubmitter submitter;
    private FileSystem fs;
    private SluiceConf conf;

    @BeforeEach
    void setUp() throws Exception {
        var hadoop = new Configuration(false);
        hadoop.set("fs.defaultFS", "file:///");
        conf = new SluiceConf(false).set(SluiceConf.SUBMIT_STAGING_DIR.name(), tmp.resolve("staging").toString());
        submitter = new YarnSubmitter(hadoop, conf, progress::add); // no ResourceManager call is made
        fs = FileSystem.getLocal(hadoop).getRawFileSystem();
    }

    @AfterEach
    void tearDown() {
        submitter.close();
    }

    private Path file(String name, String content) throws Exception {
        Path p = tmp.resolve("local").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    private org.apache.hadoop.fs.Path stage(String appId, SubmitRequest request) throws Exception {
        var dir = fs.makeQualified(new org.apache.hadoop.fs.Path(tmp.resolve("staging").resolve(appId).toUri()));
        submitter.stage(fs, dir, request);
        return dir;
    }

    @Test
    void jarsAndFilesAreStagedWithTheAppAndSluiceJarsInTheCacheWhichTheNextAppReuses() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("runtime/target/classes/io/sluice"));
        Files.writeString(classes.resolve("A.class"), "a");
        var request = new SubmitRequest(file("app.jar", "app"), "com.example.Main", List.of(), conf,
                List.of(file("sluice-runtime.jar", "runtime"), file("netty.jar", "netty"), tmp.resolve("runtime/target/classes"),
                        tmp.resolve("missing.jar")),
                List.of(file("helper.jar", "helper"), file("dup/app.jar", "another app.jar")),
                List.of(file("words.txt", "apple"), file("settings.properties", "k=v")));
        var dir = stage("application_1_0001", request);

        var resources = YarnLaunch.localResources(fs, dir);
        assertThat(resources.keySet()).contains("__sluice_app__/app.jar", "__sluice_app__/helper.jar", "__sluice_app__/1-app.jar",
                "words.txt", "settings.properties", "__sluice_libs__/sluice-runtime.jar", "__sluice_libs__/netty.jar",
                "__sluice_libs__/runtime-classes.jar", "__sluice_conf__/sluice.conf");
        assertThat(resources.get("words.txt").getVisibility()).isEqualTo(LocalResourceVisibility.APPLICATION);
        var runtime = resources.get("__sluice_libs__/sluice-runtime.jar");
        assertThat(runtime.getVisibility()).isEqualTo(LocalResourceVisibility.PRIVATE);
        String cache = tmp.resolve("staging").resolve(YarnSubmitter.JAR_CACHE_NAME).toString();
        assertThat(runtime.getResource().getFile()).startsWith(cache + "/").endsWith("/sluice-runtime.jar");
        assertThat(fs.exists(new org.apache.hadoop.fs.Path(dir, "libs"))).as("no per-app copy of Sluice's jars").isFalse();
        assertThat(progress).anyMatch(l -> l.contains("Sluice's jars: 3 (1 packed from class directories), 0 reused")
                && l.contains("3 uploaded"));
        // the second application: its own staging directory, Sluice's jars from the cache
        progress.clear();
        var dir2 = stage("application_1_0002", new SubmitRequest(file("app.jar", "app"), "com.example.Main", List.of(), conf,
                List.of(file("sluice-runtime.jar", "runtime"), file("netty.jar", "netty"), tmp.resolve("runtime/target/classes")),
                List.of(), List.of()));
        assertThat(progress).anyMatch(l -> l.contains("3 reused from the jar cache") && l.contains("0 uploaded"));
        var resources2 = YarnLaunch.localResources(fs, dir2);
        assertThat(resources2.get("__sluice_libs__/runtime-classes.jar").getResource())
                .isEqualTo(resources.get("__sluice_libs__/runtime-classes.jar").getResource());

        // removing the application's staging directory leaves the cache
        fs.delete(dir, true);
        assertThat(YarnLaunch.localResources(fs, dir2)).containsKey("__sluice_libs__/sluice-runtime.jar");
    }

    @Test
    void aJarCacheDirCanBeConfigured() throws Exception {
        conf.set(SluiceConf.SUBMIT_JAR_CACHE_DIR.name(), tmp.resolve("shared-cache").toString());
        var dir = stage("application_1_0003", new SubmitRequest(file("app.jar", "app"), "M", List.of(), conf,
                List.of(file("sluice-runtime.jar", "runtime")), List.of(), List.of()));
        assertThat(YarnLaunch.localResources(fs, dir).get("__sluice_libs__/sluice-runtime.jar").getResource().getFile())
                .startsWith(tmp.resolve("shared-cache").toString());
    }

    @Test
    void missingOrCollidingJarsAndFilesAreRefusedNamingThem() throws Exception {
        Path app = file("app.jar", "app");
        Path missing = tmp.resolve("nope/words.txt");
        assertThatThrownBy(() -> YarnSubmitter.checkLocalFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(), List.of(missing))))
                .isInstanceOf(YarnSubmitException.class).hasMessageContaining(missing.toString()).hasMessageContaining("--files");
        Path missingJar = tmp.resolve("nope/helper.jar");
        assertThatThrownBy(() -> YarnSubmitter.checkLocalFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(missingJar), List.of())))
                .isInstanceOf(YarnSubmitException.class).hasMessageContaining(missingJar.toString()).hasMessageContaining("--jars");
        assertThatThrownBy(() -> YarnSubmitter.checkLocalFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(), List.of(file("a/words.txt", "1"), file("b/words.txt", "2")))))
                .isInstanceOf(YarnSubmitException.class).hasMessageContaining("would both be words.txt");
    }

    @Test
    void jarsAndFilesComeFromTheConfigurationWhenNotGiven() throws Exception {
        Path helper = file("helper.jar", "h");
        Path words = file("words.txt", "w");
        conf.set(SluiceConf.SUBMIT_JARS.name(), helper + ", ").set(SluiceConf.SUBMIT_FILES.name(), words.toString());
        var request = new SubmitRequest(file("app.jar", "app"), "M", List.of(), conf, List.of());
        assertThat(request.jars()).containsExactly(helper);
        assertThat(request.files()).containsExactly(words);
    }

    @Test
    void packedClassDirectoriesHashTheSameWhileUnchanged() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("am-yarn/target/classes/io"));
        Files.writeString(classes.resolve("B.class"), "b");
        Path one = YarnSubmitter.packDirectory(tmp.resolve("am-yarn/target/classes"));
        Thread.sleep(1100); // zip times have a 2 s granularity; a new pack a second later must not differ
        Path two = YarnSubmitter.packDirectory(tmp.resolve("am-yarn/target/classes"));
        assertThat(one.getFileName().toString()).isEqualTo("am-yarn-classes.jar");
        assertThat(JarCache.sha256(one)).isEqualTo(JarCache.sha256(two));
    }
}
