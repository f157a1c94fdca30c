package io.sluice.batch;

import io.sluice.cluster.local.LocalClusterUrl;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The local master URLs the driver runs tasks for on its own threads: {@code local}, {@code local[N]}, {@code local[*]}. */
public record MasterUrl(String url, int localThreads) {
    private static final Pattern LOCAL_N = Pattern.compile("local\\[\\s*([0-9]+|\\*)\\s*]");

    /** Parses a local master URL, or fails with a message listing the accepted forms. */
    public static MasterUrl parseLocal(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("A master URL must be set (sluice.master), e.g. local[2]");
        }
        String u = url.trim();
        if (u.equals("local")) {
            return new MasterUrl(u, 1);
        }
        Matcher m = LOCAL_N.matcher(u);
        if (m.matches()) {
            int n = m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
            if (n < 1) {
                throw new IllegalArgumentException("Invalid master URL '" + url + "': local[N] needs N >= 1");
            }
            return new MasterUrl(u, n);
        }
        if (LocalClusterUrl.claims(u)) {
            LocalClusterUrl.parse(u); // a malformed form gets its own message
            throw new IllegalArgumentException("Master URL '" + url + "' is not a local one: local-cluster runs tasks "
                    + "in executor JVMs, which SluiceContext starts (io.sluice.scheduler.ExecutorCluster)");
        }
        throw new IllegalArgumentException("Could not parse master URL '" + url + "'. Expected one of: local, local[N], "
                + "local[*], local-cluster[E,C,M], yarn, k8s://https://host:port, mesos://host:port");
    }
}
