package io.sluice.deploy;

import io.sluice.cluster.ClusterManagerFactory;
import io.sluice.cluster.ClusterManagers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * Finds the {@link SubmitterFactory} for a master URL or an application id among those on the class path, and says
 * which masters are installed: what {@code sluice-submit} uses instead of naming backends.
 */
public final class Submitters {
    /** The masters every runtime runs itself, with no cluster manager: the driver's own threads. */
    public static final List<String> LOCAL_FORMS = List.of("local", "local[N]", "local[*]");

    private Submitters() {
    }

    /** Every installed submitter factory. */
    public static List<SubmitterFactory> all(ClassLoader loader) {
        var out = new ArrayList<SubmitterFactory>();
        ServiceLoader.load(SubmitterFactory.class, loader).forEach(out::add);
        return out;
    }

    /**
     * The one submitter factory that claims {@code masterUrl}, or empty.
     *
     * @throws IllegalStateException if several claim it (naming them)
     */
    public static Optional<SubmitterFactory> forMaster(String masterUrl, ClassLoader loader) {
        var matches = all(loader).stream().filter(f -> f.supports(masterUrl)).toList();
        if (matches.size() > 1) {
            throw new IllegalStateException("Several submitters claim master URL '" + masterUrl + "': "
                    + matches.stream().map(f -> f.getClass().getName()).toList() + "; remove all but one from the class path");
        }
        return matches.stream().findFirst();
    }

    /** The submitter factories that recognize {@code appId} as one of their cluster manager's ids. */
    public static List<SubmitterFactory> forApplicationId(String appId, ClassLoader loader) {
        return all(loader).stream().filter(f -> f.ownsApplicationId(appId)).toList();
    }

    /**
     * The master URL forms this class path runs: the local ones, every cluster manager's backend
     * ({@link ClusterManagerFactory}) and every submitter; sorted, without duplicates.
     */
    public static List<String> installedMasters(ClassLoader loader) {
        var forms = new TreeSet<String>();
        for (ClusterManagerFactory f : ServiceLoader.load(ClusterManagerFactory.class, loader)) {
            forms.add(f.masterForm());
        }
        for (SubmitterFactory f : all(loader)) {
            forms.add(f.masterForm());
        }
        var out = new ArrayList<>(LOCAL_FORMS);
        out.addAll(forms);
        return out;
    }

    /** The message for a master URL that no installed backend runs, listing those that are installed. */
    public static String noBackendMessage(String masterUrl, ClassLoader loader) {
        return "no backend installed for this master: '" + masterUrl + "'; installed masters: "
                + String.join(", ", installedMasters(loader))
                + " (a cluster manager's backend is installed by putting its module on the class path)";
    }

    /** True for the masters the driver runs on its own threads or as local child processes (no cluster manager). */
    public static boolean isLocal(String masterUrl) {
        return ClusterManagers.isLocalThreads(masterUrl) || io.sluice.cluster.local.LocalClusterUrl.claims(masterUrl);
    }
}
