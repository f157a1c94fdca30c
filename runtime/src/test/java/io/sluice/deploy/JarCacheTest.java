package io.sluice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content-addressed jar cache on a local file system. */
class JarCacheTest {
    @TempDir
    Path tmp;

    private FileSystem fs() throws Exception {
        return FileSystem.getLocal(new Configuration(false)).getRawFileSystem();
    }

    private JarCache cache() throws Exception {
        return new JarCache(fs(), new org.apache.hadoop.fs.Path(tmp.resolve("cache").toUri()));
    }

    @Test
    void aJarIsUploadedOnceUnderItsHashAndReusedAfterwards() throws Exception {
        Path jar = Files.writeString(tmp.resolve("sluice-runtime.jar"), "classes v1");
        JarCache.Entry first = cache().put(jar, "sluice-runtime.jar");
        assertThat(first.uploaded()).isTrue();
        assertThat(first.sha256()).hasSize(64);
        assertThat(first.path().toString()).endsWith("/cache/" + first.sha256() + "/sluice-runtime.jar");
        long mtime = fs().getFileStatus(first.path()).getModificationTime();
        Thread.sleep(20);

        JarCache.Entry again = cache().put(jar, "sluice-runtime.jar");
        assertThat(again.uploaded()).isFalse();
        assertThat(again.path()).isEqualTo(first.path());
        assertThat(fs().getFileStatus(again.path()).getModificationTime()).as("not rewritten").isEqualTo(mtime);

        Files.writeString(jar, "classes v2");
        JarCache.Entry changed = cache().put(jar, "sluice-runtime.jar");
        assertThat(changed.uploaded()).isTrue();
        assertThat(changed.sha256()).isNotEqualTo(first.sha256());
        assertThat(fs().exists(first.path())).as("the old version stays for applications that use it").isTrue();
    }

    @Test
    void concurrentSubmittersEndWithOneCopyAndNoTemporaryFiles() throws Exception {
        Path jar = Files.write(tmp.resolve("big.jar"), new byte[1 << 20]);
        var pool = Executors.newFixedThreadPool(4);
        try {
            var futures = new ArrayList<Future<JarCache.Entry>>();
            for (int i = 0; i < 8; i++) {
                Callable<JarCache.Entry> put = () -> cache().put(jar, "big.jar");
                futures.add(pool.submit(put));
            }
            var paths = new java.util.HashSet<org.apache.hadoop.fs.Path>();
            for (var f : futures) {
                paths.add(f.get().path());
            }
            assertThat(paths).hasSize(1);
            org.apache.hadoop.fs.Path dir = paths.iterator().next().getParent();
            FileStatus[] entries = fs().listStatus(dir);
            assertThat(entries).extracting(s -> s.getPath().getName()).containsExactly("big.jar");
            assertThat(entries[0].getLen()).isEqualTo(1 << 20);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHashIsTheContentsSha256() throws Exception {
        Path f = Files.writeString(tmp.resolve("abc.jar"), "abc");
        assertThat(JarCache.sha256(f)).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
