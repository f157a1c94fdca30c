package io.sluice.yarn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.conf.SluiceConf;
import io.sluice.deploy.Staging;
import io.sluice.deploy.SubmitRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.yarn.api.records.LocalResourceVisibility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared staging directory as YARN containers get it: local resources and class path. */
class YarnLaunchTest {
    @TempDir
    Path tmp;

    @Test
    void stagedFilesBecomeLocalResourcesAndCachedJarsArePrivate() throws Exception {
        var hadoop = new Configuration(false);
        hadoop.set("fs.defaultFS", "file:///");
        var conf = new SluiceConf(false).set(SluiceConf.SUBMIT_STAGING_DIR, tmp.resolve("staging").toString());
        try (FileSystem fs = FileSystem.getLocal(hadoop).getRawFileSystem()) {
            Path app = Files.writeString(tmp.resolve("app.jar"), "app");
            Path runtime = Files.writeString(tmp.resolve("sluice-runtime.jar"), "runtime");
            Path words = Files.writeString(tmp.resolve("words.txt"), "apple");
            var dir = new Staging(fs, conf, hadoop, line -> { }).stage("application_1_0001",
                    new SubmitRequest(app, "M", List.of(), conf, List.of(runtime), List.of(), List.of(words)));

            var resources = YarnLaunch.localResources(fs, dir);
            assertThat(resources.get("words.txt").getVisibility()).isEqualTo(LocalResourceVisibility.APPLICATION);
            assertThat(resources.get("__sluice_app__/app.jar").getVisibility()).isEqualTo(LocalResourceVisibility.APPLICATION);
            var cached = resources.get("__sluice_libs__/sluice-runtime.jar");
            assertThat(cached.getVisibility()).isEqualTo(LocalResourceVisibility.PRIVATE);
            assertThat(cached.getResource().getFile()).contains("/" + Staging.JAR_CACHE_NAME + "/");
            assertThat(YarnLaunch.loggingOptions(resources)).isEmpty();
        }
        assertThat(YarnLaunch.classPath()).isEqualTo(
                "{{PWD}}/__sluice_conf__<CPS>{{PWD}}<CPS>{{PWD}}/__sluice_app__/*<CPS>{{PWD}}/__sluice_libs__/*<CPS>{{HADOOP_CONF_DIR}}");
    }
}
