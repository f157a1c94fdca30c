package io.sluice.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Finds the {@link ClusterManagerFactory} for a master URL among those on the class path. */
public final class ClusterManagers {
    private ClusterManagers() {
    }

    /**
     * The one factory that supports {@code masterUrl}, or empty if none does.
     *
     * @throws IllegalStateException if several factories claim the URL (naming them)
     */
    public static Optional<ClusterManagerFactory> forMaster(String masterUrl, ClassLoader loader) {
        var matches = new ArrayList<ClusterManagerFactory>();
        for (ClusterManagerFactory f : ServiceLoader.load(ClusterManagerFactory.class, loader)) {
            if (f.supports(masterUrl)) {
                matches.add(f);
            }
        }
        if (matches.size() > 1) {
            List<String> names = matches.stream().map(f -> f.getClass().getName()).toList();
            throw new IllegalStateException("Several cluster managers claim master URL '" + masterUrl + "': " + names
                    + "; remove all but one from the class path");
        }
        return matches.stream().findFirst();
    }

    /**
     * True for the masters whose tasks run on the driver's own threads ({@code local}, {@code local[N]},
     * {@code local[*]}, or a malformed {@code local[...]}): no cluster manager is involved.
     */
    public static boolean isLocalThreads(String masterUrl) {
        String u = masterUrl == null ? "" : masterUrl.trim();
        return u.isEmpty() || u.equals("local") || u.startsWith("local[");
    }
}
