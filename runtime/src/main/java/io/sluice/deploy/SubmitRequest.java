package io.sluice.deploy;

import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One application to submit, the same for every cluster manager.
 *
 * @param appJar     the application's jar on the local file system
 * @param mainClass  the driver's main class
 * @param appArgs    arguments of the main class
 * @param conf       the application's configuration; staged as {@code conf/sluice.conf}
 * @param sluiceJars Sluice's own jars (and their dependencies) for the driver and every executor, kept in the jar cache
 *                   ({@code sluice.submit.jarCacheDir}); directories are packed into jars. See
 *                   {@link Staging#sluiceJars(SluiceConf)}.
 * @param jars       further jars on the class path of the driver and the executors ({@code --jars}), staged with the
 *                   application
 * @param files      files placed in the working directory of the driver and every executor under their own names
 *                   ({@code --files})
 */
public record SubmitRequest(Path appJar, String mainClass, List<String> appArgs, SluiceConf conf, List<Path> sluiceJars,
                            List<Path> jars, List<Path> files) {
    public SubmitRequest {
        Objects.requireNonNull(appJar, "appJar");
        Objects.requireNonNull(conf, "conf");
        if (mainClass == null || mainClass.isBlank()) {
            throw new IllegalArgumentException("a main class is required (--class)");
        }
        appArgs = List.copyOf(appArgs);
        sluiceJars = List.copyOf(sluiceJars);
        jars = List.copyOf(jars);
        files = List.copyOf(files);
    }

    /** A request whose extra jars and files are {@code sluice.submit.jars} and {@code sluice.submit.files} of {@code conf}. */
    public SubmitRequest(Path appJar, String mainClass, List<String> appArgs, SluiceConf conf, List<Path> sluiceJars) {
        this(appJar, mainClass, appArgs, conf, sluiceJars, paths(conf.get(SluiceConf.SUBMIT_JARS)),
                paths(conf.get(SluiceConf.SUBMIT_FILES)));
    }

    /** A comma-separated list of local paths (blanks skipped). */
    public static List<Path> paths(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Path::of).toList();
    }
}
