package io.sluice.deploy;

import io.sluice.conf.SluiceConf;
import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An application's files on the cluster's Hadoop file system, staged once by the submitter for whichever cluster
 * manager then starts the driver and the executors (YARN localizes them into containers; a Kubernetes pod or a Mesos
 * task fetches them the same way).
 *
 * <p>Layout: the staging directory {@code <sluice.submit.stagingDir>/<appId>/} (default {@code <home>/.sluice/<appId>/},
 * mode 700) holds {@value #APP_DIR}{@code /} (the application jar and the {@code --jars}), {@value #FILES_DIR}{@code /}
 * (the {@code --files}), {@value #CONF_DIR}{@code /} (the generated {@value #SLUICE_CONF_FILE}, the staged
 * {@value #LOG4J_FILE} if any, and the submitter's Hadoop configuration as {@code core-site.xml}/{@code yarn-site.xml}/
 * {@code hdfs-site.xml}) and {@value #LIBS_MANIFEST}, which names Sluice's jars in the {@link JarCache} (outside the
 * staging directory, kept between applications; a {@value #LIBS_DIR}{@code /} directory is read as well). In the working
 * directory of a driver or executor they appear ({@link #list}) as {@value #APP_LINK}{@code /..}, {@code <file name>}
 * (the files, in the working directory itself), {@value #CONF_LINK}{@code /..} and {@value #LIBS_LINK}{@code /..};
 * {@link #CLASS_PATH} is the class path over them.
 *
 * <pre>{@code
 * Staging.checkLocalFiles(request);                       // before anything is contacted: jars, files, log4j config
 * var staging = new Staging(fs, conf, clusterHadoopConf, progress);
 * Path dir = staging.stage(appId, request);               // the directory, fully qualified
 * List<Staging.StagedFile> files = Staging.list(fs, dir); // what a container localizes
 * staging.remove(appId);                                  // once the application ended
 * }</pre>
 */
public final class Staging {
    private static final Logger LOG = LogManager.getLogger(Staging.class);

    public static final String APP_DIR = "app";
    public static final String LIBS_DIR = "libs";
    public static final String CONF_DIR = "conf";
    public static final String FILES_DIR = "files";
    /** In the staging directory: one line {@code <link name>\t<qualified path>} per Sluice jar in the jar cache. */
    public static final String LIBS_MANIFEST = "sluice-libs.txt";
    /** The application's configuration, written by the submitter: {@code sluice.*} properties. */
    public static final String SLUICE_CONF_FILE = "sluice.conf";
    /** The staged log4j2 configuration ({@code sluice.submit.log4jConfig}), if any. */
    public static final String LOG4J_FILE = "log4j2.xml";
    /** The jar cache's directory in the staging base when {@code sluice.submit.jarCacheDir} is not set. */
    public static final String JAR_CACHE_NAME = ".sluice-cache";
    public static final String APP_LINK = "__sluice_app__";
    public static final String LIBS_LINK = "__sluice_libs__";
    public static final String CONF_LINK = "__sluice_conf__";
    /**
     * The class path of a driver or executor over the staged files, relative to its working directory: the conf
     * directory first (so that it finds the cluster the submitter used), the working directory (the {@code --files} are
     * resources too), the application's jars, Sluice's jars.
     */
    public static final List<String> CLASS_PATH = List.of(CONF_LINK, ".", APP_LINK + "/*", LIBS_LINK + "/*");
    private static final List<String> HADOOP_SITE_FILES = List.of("core-site.xml", "yarn-site.xml", "hdfs-site.xml");

    /**
     * One staged file as a driver or executor gets it.
     *
     * @param link   its path relative to the working directory
     * @param path   its fully qualified path on the file system
     * @param cached true for Sluice's jars in the jar cache (shared with later applications of the user), false for
     *               the application's own files
     */
    public record StagedFile(String link, Path path, long length, long modificationTime, boolean cached) {
    }

    private final FileSystem fs;
    private final SluiceConf conf;
    private final Configuration clusterConf;
    private final Consumer<String> progress;

    /**
     * @param fs          the cluster's file system
     * @param conf        the submitter's settings ({@code sluice.submit.stagingDir}, {@code sluice.submit.jarCacheDir})
     * @param clusterConf the Hadoop configuration the driver and the executors get (staged as the site files)
     * @param progress    told of each staging step, one line each
     */
    public Staging(FileSystem fs, SluiceConf conf, Configuration clusterConf, Consumer<String> progress) {
        this.fs = fs;
        this.conf = conf;
        this.clusterConf = clusterConf;
        this.progress = progress;
    }

    // ------------------------------------------------------------------ checks before anything is contacted

    /**
     * Checks what a submission reads from the local disk, before anything is staged: the application jar (a readable
     * jar), the {@code --jars} and {@code --files} (readable files; the files' names, their link names, must differ
     * from each other and from Sluice's own links) and the log4j2 configuration.
     *
     * @throws SubmitException naming the file and the option or key it came from
     */
    public static void checkLocalFiles(SubmitRequest request) {
        checkAppJar(request.appJar());
        checkJarsAndFiles(request);
        String log4j = request.conf().get(SluiceConf.SUBMIT_LOG4J_CONFIG);
        if (!log4j.isBlank() && !Files.isReadable(java.nio.file.Path.of(log4j))) {
            throw new SubmitException("The log4j2 configuration " + log4j + " (" + SluiceConf.SUBMIT_LOG4J_CONFIG.name()
                    + ") does not exist or is not readable");
        }
    }

    /** The {@code --jars} and {@code --files} part of {@link #checkLocalFiles} (also for drivers run locally). */
    public static void checkJarsAndFiles(SubmitRequest request) {
        for (java.nio.file.Path jar : request.jars()) {
            if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
                throw new SubmitException("Jar " + jar.toAbsolutePath() + " (--jars, " + SluiceConf.SUBMIT_JARS.name()
                        + ") does not exist or is not a readable file");
            }
        }
        var names = new HashMap<String, java.nio.file.Path>();
        for (java.nio.file.Path file : request.files()) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new SubmitException("File " + file.toAbsolutePath() + " (--files, " + SluiceConf.SUBMIT_FILES.name()
                        + ") does not exist or is not a readable file");
            }
            String name = file.getFileName().toString();
            if (name.startsWith("__sluice_")) {
                throw new SubmitException("File " + file.toAbsolutePath() + " (--files): names starting with __sluice_ "
                        + "are Sluice's own in the working directory; rename it");
            }
            java.nio.file.Path other = names.putIfAbsent(name, file);
            if (other != null) {
                throw new SubmitException("Files " + other.toAbsolutePath() + " and " + file.toAbsolutePath()
                        + " (--files) would both be " + name + " in the working directory; rename one");
            }
        }
    }

    /** The application jar exists, is readable and is a jar. */
    public static void checkAppJar(java.nio.file.Path jar) {
        if (!Files.exists(jar)) {
            throw new SubmitException("Application jar " + jar.toAbsolutePath() + " does not exist");
        }
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new SubmitException("Application jar " + jar.toAbsolutePath() + " is not a readable file");
        }
        try (var ignored = new JarFile(jar.toFile())) {
            // a jar
        } catch (IOException e) {
            throw new SubmitException("Application jar " + jar.toAbsolutePath() + " is not a jar: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ staging

    /** The staging directory of {@code appId}, fully qualified (whether or not it exists). */
    public Path dirOf(String appId) {
        return fs.makeQualified(new Path(stagingBase(), appId));
    }

    /** Stages {@code request} as application {@code appId}; returns its staging directory. */
    public Path stage(String appId, SubmitRequest request) throws IOException {
        Path dir = dirOf(appId);
        stage(dir, request);
        return dir;
    }

    /** Stages {@code request} into {@code dir} (see the class comment) and its Sluice jars into the jar cache. */
    void stage(Path dir, SubmitRequest request) throws IOException {
        fs.mkdirs(dir, new FsPermission((short) 0700));
        Path app = new Path(dir, APP_DIR);
        Set<String> appNames = new HashSet<>();
        var appJars = new ArrayList<java.nio.file.Path>();
        appJars.add(request.appJar());
        appJars.addAll(request.jars());
        for (java.nio.file.Path jar : appJars) {
            String name = unique(appNames, jar.getFileName().toString());
            fs.copyFromLocalFile(false, true, new Path(jar.toAbsolutePath().toUri()), new Path(app, name));
        }
        Path filesDir = new Path(dir, FILES_DIR);
        for (java.nio.file.Path file : request.files()) {
            fs.copyFromLocalFile(false, true, new Path(file.toAbsolutePath().toUri()), new Path(filesDir, file.getFileName().toString()));
        }
        stageSluiceJars(dir, request);
        Path confDir = new Path(dir, CONF_DIR);
        var props = new Properties();
        request.conf().asMap().forEach(props::setProperty);
        var text = new StringWriter();
        props.store(text, "Sluice configuration of " + dir.getName() + ", written by the submitter");
        try (var out = fs.create(new Path(confDir, SLUICE_CONF_FILE), true)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        String log4j = request.conf().get(SluiceConf.SUBMIT_LOG4J_CONFIG);
        if (!log4j.isBlank()) {
            fs.copyFromLocalFile(false, true, new Path(java.nio.file.Path.of(log4j).toAbsolutePath().toUri()),
                    new Path(confDir, LOG4J_FILE));
        }
        for (String site : HADOOP_SITE_FILES) {
            try (OutputStream out = fs.create(new Path(confDir, site), true)) {
                // the cluster's configuration, not a client's fail-fast retries: the driver and executors ride out
                // NameNode and ResourceManager restarts
                clusterConf.writeXml(out);
            }
        }
        progress.accept("Staged " + request.appJar().getFileName() + ", " + request.jars().size() + " more jars and "
                + request.files().size() + " files in " + dir);
    }

    /**
     * Puts Sluice's jars into the jar cache (uploading only those whose content it does not hold) and writes the
     * staging directory's {@value #LIBS_MANIFEST} naming them.
     */
    private void stageSluiceJars(Path dir, SubmitRequest request) throws IOException {
        var cache = new JarCache(fs, jarCacheDir());
        Set<String> names = new HashSet<>();
        var manifest = new StringBuilder();
        int uploaded = 0;
        int packed = 0;
        for (java.nio.file.Path entry : request.sluiceJars()) {
            java.nio.file.Path jar = entry;
            if (Files.isDirectory(entry)) {
                jar = packDirectory(entry);
                packed++;
            } else if (!Files.isRegularFile(entry)) {
                continue; // a class path entry that does not exist
            }
            try {
                JarCache.Entry cached = cache.put(jar, jar.getFileName().toString());
                uploaded += cached.uploaded() ? 1 : 0;
                manifest.append(unique(names, jar.getFileName().toString())).append('\t').append(cached.path()).append('\n');
            } finally {
                if (jar != entry) {
                    Files.deleteIfExists(jar);
                    Files.deleteIfExists(jar.getParent());
                }
            }
        }
        try (var out = fs.create(new Path(dir, LIBS_MANIFEST), true)) {
            out.write(manifest.toString().getBytes(StandardCharsets.UTF_8));
        }
        String line = "Sluice's jars: " + names.size() + " (" + packed + " packed from class directories), "
                + (names.size() - uploaded) + " reused from the jar cache " + cache.dir() + ", " + uploaded + " uploaded";
        progress.accept(line);
        LOG.info("{} for {}", line, dir.getName());
    }

    /** Removes the staging directory of {@code appId} (never the jar cache); false if there was none. */
    public boolean remove(String appId) throws IOException {
        Path dir = dirOf(appId);
        boolean removed = fs.delete(dir, true);
        if (removed) {
            LOG.info("Removed the staging directory {} of {}", dir, appId);
        }
        return removed;
    }

    /** {@code sluice.submit.stagingDir}, else {@code <home directory>/.sluice}. */
    private Path stagingBase() {
        String dir = conf.get(SluiceConf.SUBMIT_STAGING_DIR);
        return dir.isBlank() ? new Path(fs.getHomeDirectory(), ".sluice") : new Path(dir);
    }

    /** {@code sluice.submit.jarCacheDir}, else {@code <staging base>/.sluice-cache}. */
    Path jarCacheDir() {
        String dir = conf.get(SluiceConf.SUBMIT_JAR_CACHE_DIR);
        return fs.makeQualified(dir.isBlank() ? new Path(stagingBase(), JAR_CACHE_NAME) : new Path(dir));
    }

    /** {@code name}, or {@code <i>-name} for the first i that is not in {@code taken}; added to {@code taken}. */
    private static String unique(Set<String> taken, String name) {
        String n = name;
        for (int i = 1; !taken.add(n); i++) {
            n = i + "-" + name;
        }
        return n;
    }

    // ------------------------------------------------------------------ what a driver or executor gets

    /**
     * Every file of the staging directory {@code dir} and every cached jar its {@value #LIBS_MANIFEST} names, with the
     * link name it gets in the working directory of a driver or executor.
     *
     * @throws IOException also when a cached jar is gone or the directory names no Sluice jars
     */
    public static List<StagedFile> list(FileSystem fs, Path dir) throws IOException {
        var files = new ArrayList<StagedFile>();
        for (var sub : List.of(new String[] {APP_DIR, APP_LINK + "/"}, new String[] {LIBS_DIR, LIBS_LINK + "/"},
                new String[] {CONF_DIR, CONF_LINK + "/"}, new String[] {FILES_DIR, ""})) {
            Path p = new Path(dir, sub[0]);
            if (!fs.exists(p)) {
                continue;
            }
            for (FileStatus st : fs.listStatus(p)) {
                if (st.isFile()) {
                    files.add(staged(fs, sub[1] + st.getPath().getName(), st, false));
                }
            }
        }
        Path manifest = new Path(dir, LIBS_MANIFEST);
        if (fs.exists(manifest)) {
            for (String line : readLines(fs, manifest)) {
                int tab = line.indexOf('\t');
                if (tab <= 0) {
                    continue;
                }
                Path jar = new Path(line.substring(tab + 1));
                FileStatus st;
                try {
                    st = fs.getFileStatus(jar);
                } catch (FileNotFoundException e) {
                    throw new IOException("Sluice jar " + jar + " named by " + manifest + " is gone from the jar cache ("
                            + SluiceConf.SUBMIT_JAR_CACHE_DIR.name() + "); submit the application again", e);
                }
                files.add(staged(fs, LIBS_LINK + "/" + line.substring(0, tab), st, true));
            }
        }
        if (files.stream().noneMatch(f -> f.link().startsWith(LIBS_LINK + "/"))) {
            throw new IOException("the staging directory " + dir + " names no Sluice jars (" + LIBS_MANIFEST + ", "
                    + LIBS_DIR + "/)");
        }
        return files;
    }

    private static StagedFile staged(FileSystem fs, String link, FileStatus st, boolean cached) {
        return new StagedFile(link, fs.makeQualified(st.getPath()), st.getLen(), st.getModificationTime(), cached);
    }

    private static List<String> readLines(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            return Arrays.asList(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"));
        }
    }

    // ------------------------------------------------------------------ Sluice's jars

    /** {@code sluice.submit.sluiceJars} when set, else {@link #currentClassPath()}. */
    public static List<java.nio.file.Path> sluiceJars(SluiceConf conf) {
        String jars = conf.get(SluiceConf.SUBMIT_SLUICE_JARS);
        if (jars.isBlank()) {
            return currentClassPath();
        }
        return Arrays.stream(jars.split(",")).map(String::trim).filter(j -> !j.isEmpty()).map(java.nio.file.Path::of).toList();
    }

    /**
     * The jars and class directories of this JVM's class path, with the {@code Class-Path} of manifest-only jars (as a
     * test runner or launcher uses) expanded in their place: what a submission from this JVM ships as Sluice's jars.
     */
    public static List<java.nio.file.Path> currentClassPath() {
        var out = new LinkedHashSet<java.nio.file.Path>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isBlank()) {
                continue;
            }
            java.nio.file.Path p = java.nio.file.Path.of(e).toAbsolutePath();
            List<java.nio.file.Path> manifestEntries = manifestClassPath(p);
            if (manifestEntries.isEmpty()) {
                out.add(p);
            } else {
                out.addAll(manifestEntries);
            }
        }
        return List.copyOf(out);
    }

    private static List<java.nio.file.Path> manifestClassPath(java.nio.file.Path jar) {
        if (!Files.isRegularFile(jar)) {
            return List.of();
        }
        try (var jf = new JarFile(jar.toFile())) {
            var mf = jf.getManifest();
            String cp = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
            if (cp == null || cp.isBlank() || jf.size() > 2) {
                return List.of(); // an ordinary jar that also names dependencies
            }
            var entries = new ArrayList<java.nio.file.Path>();
            for (String u : cp.trim().split("\\s+")) {
                java.net.URI uri = jar.toUri().resolve(u);
                entries.add(java.nio.file.Path.of(uri));
            }
            return entries;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Packs a class directory into {@code <temp dir>/<module>-<dir>.jar}, reproducibly (sorted entries, each with its
     * file's modification time), so that unchanged classes hash the same and hit the jar cache.
     */
    static java.nio.file.Path packDirectory(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path parent = dir.toAbsolutePath().getParent();
        String module = parent == null || parent.getParent() == null ? "classes" : parent.getParent().getFileName().toString();
        java.nio.file.Path jar = Files.createTempDirectory("sluice-pack").resolve(module + "-" + dir.getFileName() + ".jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(dir)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.sorted()::iterator) {
                if (f.equals(dir)) {
                    continue;
                }
                String name = dir.relativize(f).toString().replace(File.separatorChar, '/') + (Files.isDirectory(f) ? "/" : "");
                var entry = new ZipEntry(name);
                entry.setTime(Files.getLastModifiedTime(f).toMillis());
                out.putNextEntry(entry);
                if (Files.isRegularFile(f)) {
                    Files.copy(f, out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }
}
