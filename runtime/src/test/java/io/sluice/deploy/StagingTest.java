package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.conf.SluiceConf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Staging on a local file system: the application's jar, {@code --jars} and {@code --files} in its staging
 * directory, Sluice's jars in the jar cache (reused by the next application), and the files a driver or executor gets.
 */
class StagingTest {
    @TempDir
    Path tmp;
    private final List<String> progress = new ArrayList<>();
    private Staging staging;
    private FileSystem fs;
    private SluiceConf conf;

    @BeforeEach
    void setUp() throws Exception {
        var hadoop = new Configuration(false);
        hadoop.set("fs.defaultFS", "file:///");
        // the deprecated name of sluice.submit.stagingDir still works
        conf = new SluiceConf(false).set("sluice.yarn.stagingDir", tmp.resolve("staging").toString());
        fs = FileSystem.getLocal(hadoop).getRawFileSystem();
        staging = new Staging(fs, conf, hadoop, progress::add);
    }

    @AfterEach
    void tearDown() throws Exception {
        fs.close();
    }

    private static Map<String, Staging.StagedFile> byLink(FileSystem fs, org.apache.hadoop.fs.Path dir) throws Exception {
        return Staging.list(fs, dir).stream().collect(Collectors.toMap(Staging.StagedFile::link, Function.identity()));
    }

    private Path file(String name, String content) throws Exception {
        Path p = tmp.resolve("local").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }

    private org.apache.hadoop.fs.Path stage(String appId, SubmitRequest request) throws Exception {
        var dir = staging.stage(appId, request);
        assertThat(dir.toUri().getPath()).isEqualTo(tmp.resolve("staging").resolve(appId).toString());
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

        var resources = byLink(fs, dir);
        assertThat(resources.keySet()).contains("__sluice_app__/app.jar", "__sluice_app__/helper.jar", "__sluice_app__/1-app.jar",
                "words.txt", "settings.properties", "__sluice_libs__/sluice-runtime.jar", "__sluice_libs__/netty.jar",
                "__sluice_libs__/runtime-classes.jar", "__sluice_conf__/sluice.conf", "__sluice_conf__/core-site.xml");
        assertThat(resources.get("words.txt").cached()).isFalse();
        var runtime = resources.get("__sluice_libs__/sluice-runtime.jar");
        assertThat(runtime.cached()).isTrue();
        String cache = tmp.resolve("staging").resolve(Staging.JAR_CACHE_NAME).toString();
        assertThat(runtime.path().toUri().getPath()).startsWith(cache + "/").endsWith("/sluice-runtime.jar");
        assertThat(fs.exists(new org.apache.hadoop.fs.Path(dir, "libs"))).as("no per-app copy of Sluice's jars").isFalse();
        assertThat(progress).anyMatch(l -> l.contains("Sluice's jars: 3 (1 packed from class directories), 0 reused")
                && l.contains("3 uploaded"));
        // the second application: its own staging directory, Sluice's jars from the cache
        progress.clear();
        var dir2 = stage("application_1_0002", new SubmitRequest(file("app.jar", "app"), "com.example.Main", List.of(), conf,
                List.of(file("sluice-runtime.jar", "runtime"), file("netty.jar", "netty"), tmp.resolve("runtime/target/classes")),
                List.of(), List.of()));
        assertThat(progress).anyMatch(l -> l.contains("3 reused from the jar cache") && l.contains("0 uploaded"));
        var resources2 = byLink(fs, dir2);
        assertThat(resources2.get("__sluice_libs__/runtime-classes.jar").path())
                .isEqualTo(resources.get("__sluice_libs__/runtime-classes.jar").path());

        // removing the application's staging directory leaves the cache
        assertThat(staging.remove("application_1_0001")).isTrue();
        assertThat(fs.exists(dir)).isFalse();
        assertThat(byLink(fs, dir2)).containsKey("__sluice_libs__/sluice-runtime.jar");
    }

    @Test
    void aJarCacheDirCanBeConfigured() throws Exception {
        conf.set(SluiceConf.SUBMIT_JAR_CACHE_DIR.name(), tmp.resolve("shared-cache").toString());
        var dir = stage("application_1_0003", new SubmitRequest(file("app.jar", "app"), "M", List.of(), conf,
                List.of(file("sluice-runtime.jar", "runtime")), List.of(), List.of()));
        assertThat(byLink(fs, dir).get("__sluice_libs__/sluice-runtime.jar").path().toUri().getPath())
                .startsWith(tmp.resolve("shared-cache").toString());
    }

    @Test
    void missingOrCollidingJarsAndFilesAreRefusedNamingThem() throws Exception {
        Path app = file("app.jar", "app");
        Path missing = tmp.resolve("nope/words.txt");
        assertThatThrownBy(() -> Staging.checkJarsAndFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(), List.of(missing))))
                .isInstanceOf(SubmitException.class).hasMessageContaining(missing.toString()).hasMessageContaining("--files");
        Path missingJar = tmp.resolve("nope/helper.jar");
        assertThatThrownBy(() -> Staging.checkJarsAndFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(missingJar), List.of())))
                .isInstanceOf(SubmitException.class).hasMessageContaining(missingJar.toString()).hasMessageContaining("--jars");
        assertThatThrownBy(() -> Staging.checkJarsAndFiles(new SubmitRequest(app, "M", List.of(), conf, List.of(),
                List.of(), List.of(file("a/words.txt", "1"), file("b/words.txt", "2")))))
                .isInstanceOf(SubmitException.class).hasMessageContaining("would both be words.txt");
    }

    @Test
    void theApplicationJarMustBeAReadableJar() throws Exception {
        assertThatThrownBy(() -> Staging.checkAppJar(tmp.resolve("nope.jar"))).isInstanceOf(SubmitException.class)
                .hasMessageEndingWith("nope.jar does not exist");
        Path notAJar = file("not.jar", "text");
        assertThatThrownBy(() -> Staging.checkAppJar(notAJar)).hasMessageContaining("not.jar is not a jar");
        var request = new SubmitRequest(notAJar, "M", List.of(), new SluiceConf(false)
                .set(SluiceConf.SUBMIT_LOG4J_CONFIG.name(), tmp.resolve("no-log4j2.xml").toString()), List.of());
        assertThatThrownBy(() -> Staging.checkLocalFiles(request)).hasMessageContaining("not.jar is not a jar");
    }

    @Test
    void aStagedDirectoryWithoutSluiceJarsIsRefusedWhenListed() throws Exception {
        var dir = stage("application_1_0004", new SubmitRequest(file("app.jar", "app"), "M", List.of(), conf, List.of(),
                List.of(), List.of()));
        assertThatThrownBy(() -> Staging.list(fs, dir)).hasMessageContaining("names no Sluice jars");
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
        Path one = Staging.packDirectory(tmp.resolve("am-yarn/target/classes"));
        Thread.sleep(1100); // zip times have a 2 s granularity; a new pack a second later must not differ
        Path two = Staging.packDirectory(tmp.resolve("am-yarn/target/classes"));
        assertThat(one.getFileName().toString()).isEqualTo("am-yarn-classes.jar");
        assertThat(JarCache.sha256(one)).isEqualTo(JarCache.sha256(two));
    }
}
