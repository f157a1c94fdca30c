package io.sluice.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Sluice's jars on the cluster's file system, kept between submissions and keyed by content: a jar lives at
 * {@code <dir>/<sha256 of its bytes>/<file name>} ({@code sluice.submit.jarCacheDir}). {@link #put} uploads a jar only
 * when no file of that hash and name is there yet.
 *
 * <pre>{@code
 * var cache = new JarCache(fs, new Path("/user/me/.sluice/.sluice-cache"));
 * JarCache.Entry e = cache.put(localJar, "sluice-runtime.jar");  // uploaded, or reused
 * e.path();       // hdfs://nn/user/me/.sluice/.sluice-cache/3f2a.../sluice-runtime.jar
 * e.uploaded();   // false when an earlier submission had put it there
 * }</pre>
 *
 * <p>Concurrent submitters (other JVMs, other machines) are safe: a jar is written to a temporary name in its hash
 * directory and renamed into place, and a rename that loses the race (the target exists) leaves the winner's file,
 * whose content is the same by construction. A file is never rewritten once in place, so its modification time — which
 * YARN checks when it localizes it — stays valid for every application that references it. Nothing here removes
 * cache entries; the cache is not part of any application's staging directory.
 *
 * <p>Thread-safe. Hashes are remembered per JVM by local path, size and modification time, so repeated submissions
 * from one process do not read each jar again.
 */
final class JarCache {
    private static final Logger LOG = LogManager.getLogger(JarCache.class);
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    /**
     * One cached jar.
     *
     * @param path     its fully qualified path in the cache
     * @param sha256   the hex SHA-256 of its content
     * @param uploaded whether this call uploaded it (false: it was there already)
     */
    record Entry(Path path, String sha256, boolean uploaded) {
    }

    private final FileSystem fs;
    private final Path dir;

    JarCache(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = fs.makeQualified(dir);
    }

    Path dir() {
        return dir;
    }

    /** The cached copy of {@code jar} under {@code name}, uploading it first if the cache does not hold it. */
    Entry put(java.nio.file.Path jar, String name) throws IOException {
        String sha = sha256(jar);
        Path target = new Path(new Path(dir, sha), name);
        long size = Files.size(jar);
        if (present(target, size)) {
            return new Entry(target, sha, false);
        }
        Path tmp = new Path(target.getParent(), "." + name + "." + UUID.randomUUID() + ".tmp");
        fs.mkdirs(target.getParent());
        try {
            fs.copyFromLocalFile(false, true, new Path(jar.toAbsolutePath().toUri()), tmp);
            if (fs.rename(tmp, target)) {
                LOG.debug("Cached {} as {}", jar, target);
                return new Entry(target, sha, true);
            }
            // another submitter renamed its copy into place first: same hash, same bytes
            if (present(target, size)) {
                return new Entry(target, sha, false);
            }
            throw new IOException("could not rename " + tmp + " to " + target + " in the jar cache");
        } finally {
            fs.delete(tmp, false);
        }
    }

    private boolean present(Path target, long size) throws IOException {
        try {
            FileStatus st = fs.getFileStatus(target);
            if (st.isFile() && st.getLen() == size) {
                return true;
            }
            LOG.warn("Jar cache entry {} has {} bytes, expected {}; ignoring it", target, st.getLen(), size);
            return false;
        } catch (java.io.FileNotFoundException e) {
            return false;
        }
    }

    /** The hex SHA-256 of {@code file}'s content (remembered by path, size and modification time). */
    static String sha256(java.nio.file.Path file) throws IOException {
        java.nio.file.Path abs = file.toAbsolutePath();
        String key = abs + "|" + Files.size(abs) + "|" + Files.getLastModifiedTime(abs).toMillis();
        String known = HASHES.get(key);
        if (known != null) {
            return known;
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(abs)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        HASHES.put(key, sha);
        return sha;
    }
}
