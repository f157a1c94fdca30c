package io.sluice.yarn;

import io.sluice.conf.SluiceConf;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One application to submit to YARN in cluster deploy mode.
 *
 * @param appJar     the application's jar on the local file system
 * @param mainClass  the driver's main class, run inside the ApplicationMaster
 * @param appArgs    arguments of the main class
 * @param conf       the application's configuration ({@code sluice.app.name}, {@code sluice.yarn.*},
 *                   {@code sluice.executor.*}, ...); written to the staged {@code sluice.conf}
 * @param sluiceJars Sluice's own jars (and their dependencies) that every container gets; directories are packed
 *                   into jars. See {@link YarnSubmitter#currentClassPath()}.
 */
public record SubmitRequest(Path appJar, String mainClass, List<String> appArgs, SluiceConf conf, List<Path> sluiceJars) {
    public SubmitRequest {
        Objects.requireNonNull(appJar, "appJar");
        Objects.requireNonNull(conf, "conf");
        if (mainClass == null || mainClass.isBlank()) {
            throw new IllegalArgumentException("a main class is required (--class)");
        }
        appArgs = List.copyOf(appArgs);
        sluiceJars = List.copyOf(sluiceJars);
    }
}
